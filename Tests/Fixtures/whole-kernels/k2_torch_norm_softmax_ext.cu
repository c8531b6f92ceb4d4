// PyTorch C++/CUDA extension: residual-add + RMSNorm (in place) and a row softmax.
// Build with torch.utils.cpp_extension.load(sources=["torch_norm_softmax_ext.cu"]).

#include <torch/extension.h>
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/AccumulateType.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAException.h>
#include <c10/macros/Macros.h>
#include <cuda.h>
#include <cuda_runtime.h>
#include <limits>
#include <algorithm>

#define CHECK_CUDA(x) TORCH_CHECK(x.is_cuda(), #x " must be a CUDA tensor")
#define CHECK_CONTIGUOUS(x) TORCH_CHECK(x.is_contiguous(), #x " must be contiguous")
#define CHECK_INPUT(x) CHECK_CUDA(x); CHECK_CONTIGUOUS(x)

namespace ext {
namespace detail {

template <typename T>
__device__ __forceinline__ T shfl_xor(T v, int lane_mask) {
  return __shfl_xor_sync(0xffffffffu, v, lane_mask);
}

template <typename acc_t>
__device__ __forceinline__ acc_t warp_sum(acc_t v) {
  for (int off = C10_WARP_SIZE / 2; off > 0; off /= 2) v += shfl_xor(v, off);
  return v;
}

template <typename acc_t>
__device__ __forceinline__ acc_t warp_max(acc_t v) {
  for (int off = C10_WARP_SIZE / 2; off > 0; off /= 2) v = ::max(v, shfl_xor(v, off));
  return v;
}

// sum over the whole block; result valid in every thread
template <typename acc_t>
__device__ acc_t block_sum(acc_t v, acc_t* smem) {
  const int lane = threadIdx.x % C10_WARP_SIZE;
  const int wid = threadIdx.x / C10_WARP_SIZE;
  v = warp_sum(v);
  if (lane == 0) smem[wid] = v;
  __syncthreads();
  const int nwarps = (blockDim.x + C10_WARP_SIZE - 1) / C10_WARP_SIZE;
  v = (threadIdx.x < nwarps) ? smem[threadIdx.x] : acc_t(0);
  if (wid == 0) v = warp_sum(v);
  if (threadIdx.x == 0) smem[0] = v;
  __syncthreads();
  return smem[0];
}

}  // namespace detail

// residual <- input + residual ; input <- rmsnorm(residual) * weight
template <typename scalar_t>
__global__ void C10_LAUNCH_BOUNDS_1(1024) fused_add_rmsnorm_kernel(
    scalar_t* __restrict__ input,     // [rows, hidden]  (overwritten with output)
    scalar_t* __restrict__ residual,  // [rows, hidden]  (overwritten with input + residual)
    const scalar_t* __restrict__ weight,
    const float epsilon, const int hidden) {
  using acc_t = at::acc_type<scalar_t, true>;
  __shared__ acc_t red[32];
  const int64_t row = blockIdx.x;
  scalar_t* x = input + row * hidden;
  scalar_t* r = residual + row * hidden;

  acc_t ss = 0;
  for (int i = threadIdx.x; i < hidden; i += blockDim.x) {
    acc_t z = static_cast<acc_t>(x[i]) + static_cast<acc_t>(r[i]);
    r[i] = static_cast<scalar_t>(z);
    ss += z * z;
  }
  const acc_t var = detail::block_sum<acc_t>(ss, red) / hidden;
  const acc_t inv_rms = rsqrtf(var + epsilon);

  // Walk the row backwards in the second pass: the tail of `r` written last in the
  // first pass is still hot in L1/L2, so we consume it first.
  const int last = ((hidden - 1) / blockDim.x) * blockDim.x + threadIdx.x;
  for (int i = last; i >= 0; i -= blockDim.x) {
    if (i >= hidden) continue;
    acc_t z = static_cast<acc_t>(r[i]);
    x[i] = static_cast<scalar_t>(z * inv_rms * static_cast<acc_t>(weight[i]));
  }
}

// Fused softmax kernel: one warp per row, three sweeps over the row.
template <typename scalar_t>
__global__ void C10_LAUNCH_BOUNDS_2(128, 8) softmax_warp_fwd_kernel(
    const scalar_t* __restrict__ src, scalar_t* __restrict__ dst,
    const int64_t rows, const int cols) {
  using acc_t = at::acc_type<scalar_t, true>;
  const int warps_per_block = blockDim.x / C10_WARP_SIZE;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * warps_per_block + threadIdx.x / C10_WARP_SIZE;
  const int lane = threadIdx.x % C10_WARP_SIZE;
  if (row >= rows) return;
  const scalar_t* in = src + row * cols;
  scalar_t* out = dst + row * cols;

  acc_t m = -std::numeric_limits<acc_t>::infinity();
  for (int c = lane; c < cols; c += C10_WARP_SIZE) m = ::max(m, static_cast<acc_t>(in[c]));
  m = detail::warp_max(m);

  acc_t s = 0;
  for (int c = lane; c < cols; c += C10_WARP_SIZE) s += ::exp(static_cast<acc_t>(in[c]) - m);
  s = detail::warp_sum(s);
  const acc_t inv = acc_t(1) / s;

  // exponentials are not kept anywhere: evaluate them again while writing
  for (int c = lane; c < cols; c += C10_WARP_SIZE)
    out[c] = static_cast<scalar_t>(::exp(static_cast<acc_t>(in[c]) - m) * inv);
}

}  // namespace ext

void fused_add_rmsnorm(torch::Tensor input, torch::Tensor residual, torch::Tensor weight, double eps) {
  CHECK_INPUT(input); CHECK_INPUT(residual); CHECK_INPUT(weight);
  const int hidden = input.size(-1);
  const int64_t rows = input.numel() / hidden;
  const at::cuda::OptionalCUDAGuard device_guard(device_of(input));
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  const int threads = std::min(1024, ((hidden + 31) / 32) * 32);
  AT_DISPATCH_FLOATING_TYPES_AND2(at::ScalarType::Half, at::ScalarType::BFloat16,
      input.scalar_type(), "fused_add_rmsnorm", [&] {
        ext::fused_add_rmsnorm_kernel<scalar_t><<<rows, threads, 0, stream>>>(
            input.data_ptr<scalar_t>(), residual.data_ptr<scalar_t>(),
            weight.data_ptr<scalar_t>(), static_cast<float>(eps), hidden);
      });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

torch::Tensor softmax_fwd(torch::Tensor x) {
  CHECK_INPUT(x);
  auto y = torch::empty_like(x);
  const int cols = x.size(-1);
  const int64_t rows = x.numel() / cols;
  constexpr int kThreads = 128;
  const int64_t blocks = (rows + (kThreads / 32) - 1) / (kThreads / 32);
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::ScalarType::Half, at::ScalarType::BFloat16,
      x.scalar_type(), "softmax_fwd", [&] {
        ext::softmax_warp_fwd_kernel<scalar_t><<<blocks, kThreads, 0, stream>>>(
            x.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), rows, cols);
      });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return y;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("fused_add_rmsnorm", &fused_add_rmsnorm, "residual add + RMSNorm (in place)");
  m.def("softmax_fwd", &softmax_fwd, "row softmax");
}

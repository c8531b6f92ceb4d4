// k4_serve_w4a16_gemv.cu
//
// Weight-only quantized linear layers.
//   W4A16: int4 weights, fp16 scale + uint8 zero point per GROUP_SIZE run along K.
//   W8A16: int8 weights, one fp16 scale per output row (lm_head / vocab-parallel shards).
// Decode (M == 1) runs the GEMV kernels; prefill expands the int4 weights into a dense
// fp16 scratch matrix and hands the GEMM to cuBLAS.
//
// Packed int4 layout (written by the offline packer): qweight is [N, K/32] 16-byte words.
// Word c of a row belongs to chunk it = c / 32, lane l = c % 32, and its 32-bit sub-word v
// covers K = it*1024 + v*256 + l*8 + [0, 8). Inside a sub-word, nibble j (j < 4) holds
// element 2j and nibble j+4 holds element 2j+1, so (w >> 4j) & 0x000F000F is that pair.

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_pipeline.h>
#include <cublas_v2.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace serve {
template <typename... Args>
inline std::string str_cat(const Args&... args) { std::ostringstream os; (os << ... << args); return os.str(); }
}  // namespace serve

#define SRV_CHECK(cond, ...)                                                                  \
  do {                                                                                        \
    if (!(cond))                                                                              \
      throw std::runtime_error(::serve::str_cat(__FILE__, ":", __LINE__, " check failed: " #cond ". ", \
                                                ##__VA_ARGS__));                              \
  } while (0)
#define SRV_CUDA_CHECK(expr) \
  do { cudaError_t e_ = (expr); SRV_CHECK(e_ == cudaSuccess, cudaGetErrorString(e_)); } while (0)
#define SRV_CUBLAS_CHECK(expr) \
  do { cublasStatus_t s_ = (expr); SRV_CHECK(s_ == CUBLAS_STATUS_SUCCESS, "cublas status ", int(s_)); } while (0)

namespace serve {

enum class ScalarType : int8_t { Half, BFloat16, Float, Int8, UInt8, Int32 };

struct Tensor {
  void* data = nullptr;
  ScalarType dtype = ScalarType::Half;
  int ndim = 0;
  int64_t shape[4] = {};
  int64_t strides[4] = {};
  int64_t size(int d) const { return shape[d]; }
  int64_t stride(int d) const { return strides[d]; }
  template <typename T> T* data_ptr() const { return reinterpret_cast<T*>(data); }
};

constexpr int kChunkK = 1024;  // K elements one warp consumes per 16-byte-per-lane step
constexpr int kPrefetch = 2;   // packed words in flight per lane
constexpr int kGemvWarps = 4;

struct __align__(16) Half8 {
  half2 h[4];
};

__device__ __forceinline__ float warp_reduce_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ half2 nibble_pair(uint32_t word, int j, half2 magic) {
  // 0x6400 | q is the fp16 bit pattern of 1024 + q; subtracting 1024 is exact.
  const uint32_t bits = ((word >> (4 * j)) & 0x000F000Fu) | 0x64006400u;
  return __hsub2(*reinterpret_cast<const half2*>(&bits), magic);
}

// One lane's packed word against its activations. x_chunk holds the chunk's 128 16-byte
// activation vectors; lane l reads vector v*32 + l, so each 16-byte shared load of the
// warp covers 32 consecutive vectors and is bank-conflict free.
template <int GROUP_SIZE>
__device__ __forceinline__ float dot_w4x32(const uint4& wq, const uint4* x_chunk, const half* s_row,
                                           const uint8_t* z_row, int k_chunk, int lane, half2 magic) {
  const uint32_t words[4] = {wq.x, wq.y, wq.z, wq.w};
  float acc = 0.f;
#pragma unroll
  for (int v = 0; v < 4; ++v) {
    const int g = (k_chunk + v * 256 + lane * 8) / GROUP_SIZE;
    const half s = __ldg(&s_row[g]);
    // (q - z) * s == q * s + (-z * s): the zero point becomes the FMA addend.
    const half2 s2 = __half2half2(s);
    const half2 nzs2 = __half2half2(__hneg(__hmul(s, __ushort2half_rn(__ldg(&z_row[g])))));
    const uint4 xv = x_chunk[v * 32 + lane];
    const half2* xh = reinterpret_cast<const half2*>(&xv);
    half2 part = __float2half2_rn(0.f);
#pragma unroll
    for (int j = 0; j < 4; ++j) part = __hfma2(__hfma2(nibble_pair(words[v], j, magic), s2, nzs2), xh[j], part);
    const float2 pf = __half22float2(part);
    acc += pf.x + pf.y;
  }
  return acc;
}

// One warp per output row; NUM_WARPS rows per block share the staged activation slice.
// blockIdx.y is the K split. Lane l loads packed word step*32 + l, so a warp streams 512
// contiguous bytes of its weight row per step.
template <int GROUP_SIZE, int NUM_WARPS, bool SPLIT_K>
__global__ void __launch_bounds__(NUM_WARPS * 32, 4)  // 4 blocks/SM keeps enough weight loads in flight
w4a16_gemv_kernel(const half* __restrict__ x,         // [K]
                  const uint4* __restrict__ qweight,  // [N, K/32]
                  const half* __restrict__ scales,    // [N, K/GROUP_SIZE]
                  const uint8_t* __restrict__ zeros,  // [N, K/GROUP_SIZE]
                  half* __restrict__ out,             // [N]         (!SPLIT_K)
                  float* __restrict__ partials,       // [splits, N] (SPLIT_K)
                  int N, int K, int k_per_split) {
  extern __shared__ uint4 x_smem[];  // k_per_split halves
  const int split = blockIdx.y;
  const int k_begin = split * k_per_split;

  const uint4* x_src = reinterpret_cast<const uint4*>(x + k_begin);
  for (int i = threadIdx.x; i < k_per_split / 8; i += NUM_WARPS * 32)
    __pipeline_memcpy_async(&x_smem[i], &x_src[i], sizeof(uint4));
  __pipeline_commit();
  __pipeline_wait_prior(0);
  __syncthreads();

  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int row = blockIdx.x * NUM_WARPS + warp;
  if (row >= N) return;  // no block-wide barrier after this point

  const int groups_per_row = K / GROUP_SIZE;
  const uint4* w_row = qweight + (int64_t)row * (K / 32) + k_begin / 32;
  const half* s_row = scales + (int64_t)row * groups_per_row;
  const uint8_t* z_row = zeros + (int64_t)row * groups_per_row;
  const half2 magic = __half2half2(__ushort_as_half(0x6400));

  float acc = 0.f;
  const int steps = k_per_split / kChunkK;
  for (int it = 0; it < steps; it += kPrefetch) {
    // Issue every packed load of this step before dequantizing any of them so the lane
    // has kPrefetch independent 16-byte requests outstanding instead of one.
    uint4 wq[kPrefetch];
#pragma unroll
    for (int p = 0; p < kPrefetch; ++p) wq[p] = __ldcs(&w_row[(it + p) * 32 + lane]);
#pragma unroll
    for (int p = 0; p < kPrefetch; ++p) {
      const int k_local = (it + p) * kChunkK;
      acc += dot_w4x32<GROUP_SIZE>(wq[p], x_smem + k_local / 8, s_row, z_row, k_begin + k_local, lane, magic);
    }
  }

  acc = warp_reduce_sum(acc);
  if (lane == 0) {
    if constexpr (SPLIT_K) partials[(int64_t)split * N + row] = acc;
    else out[row] = __float2half_rn(acc);
  }
}

// Sums split-K partials in a fixed split order rather than atomically accumulating into
// the output, so decode logits are bit-identical run to run. Thread n reads column n of
// every split row: consecutive threads, consecutive addresses.
__global__ void splitk_reduce_kernel(const float* __restrict__ partials, half* __restrict__ out,
                                     int N, int splits) {
  for (int n = blockIdx.x * blockDim.x + threadIdx.x; n < N; n += gridDim.x * blockDim.x) {
    float s = 0.f;
    for (int k = 0; k < splits; ++k) s += __ldcs(&partials[(int64_t)k * N + n]);
    out[n] = __float2half_rn(s);
  }
}

// One block per output row. Shard rows are only guaranteed 4-element aligned (vocab shard
// widths are arbitrary), so activations move as 8-byte uint2 and weights as char4.
template <int THREADS>
__global__ void __launch_bounds__(THREADS)
w8a16_gemv_kernel(const half* __restrict__ x, const int8_t* __restrict__ qweight,
                  const half* __restrict__ row_scale, half* __restrict__ out, int K, int64_t w_row_stride) {
  __shared__ float warp_sums[THREADS / 32];
  const int row = blockIdx.x;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const char4* w = reinterpret_cast<const char4*>(qweight + row * w_row_stride);
  const uint2* xv = reinterpret_cast<const uint2*>(x);

  float acc = 0.f;
  for (int i = threadIdx.x; i < K / 4; i += THREADS) {
    const char4 q = w[i];
    const uint2 xr = xv[i];
    const float2 x01 = __half22float2(*reinterpret_cast<const half2*>(&xr.x));
    const float2 x23 = __half22float2(*reinterpret_cast<const half2*>(&xr.y));
    acc = fmaf(float(q.x), x01.x, acc);
    acc = fmaf(float(q.y), x01.y, acc);
    acc = fmaf(float(q.z), x23.x, acc);
    acc = fmaf(float(q.w), x23.y, acc);
  }

  acc = warp_reduce_sum(acc);
  if (lane == 0) warp_sums[warp] = acc;
  __syncthreads();
  if (warp == 0) {
    acc = warp_reduce_sum(lane < THREADS / 32 ? warp_sums[lane] : 0.f);
    // The row scale is constant along K, so it is applied once to the finished dot product.
    if (lane == 0) out[row] = __float2half_rn(acc * __half2float(row_scale[row]));
  }
}

// Prefill: expand packed int4 into a dense [N, K] fp16 matrix for the cuBLAS GEMM. One
// thread per packed word; neighbouring lanes own neighbouring words, so the packed reads
// are contiguous and each lane's 16-byte store sits next to the previous lane's.
template <int GROUP_SIZE>
__global__ void dequant_w4_to_fp16_kernel(const uint4* __restrict__ qweight, const half* __restrict__ scales,
                                          const uint8_t* __restrict__ zeros, half* __restrict__ w_out,
                                          int N, int K) {
  const int words_per_row = K / 32;
  const int groups_per_row = K / GROUP_SIZE;
  const int64_t total = (int64_t)N * words_per_row;
  const half2 magic = __half2half2(__ushort_as_half(0x6400));

  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total;
       idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t n = idx / words_per_row;
    const int c = (int)(idx % words_per_row);
    const int it = c / 32, lane = c % 32;
    const uint4 wq = __ldcs(&qweight[idx]);
    const uint32_t words[4] = {wq.x, wq.y, wq.z, wq.w};
#pragma unroll
    for (int v = 0; v < 4; ++v) {
      const int k0 = it * kChunkK + v * 256 + lane * 8;
      const int g = k0 / GROUP_SIZE;
      const half s = scales[n * groups_per_row + g];
      const half2 s2 = __half2half2(s);
      const half2 nzs2 = __half2half2(__hneg(__hmul(s, __ushort2half_rn(zeros[n * groups_per_row + g]))));
      Half8 o;
#pragma unroll
      for (int j = 0; j < 4; ++j) o.h[j] = __hfma2(nibble_pair(words[v], j, magic), s2, nzs2);
      *reinterpret_cast<uint4*>(w_out + n * K + k0) = *reinterpret_cast<const uint4*>(&o);
    }
  }
}

// ---------------------------------------------------------------------------
// ops layer
// ---------------------------------------------------------------------------
struct W4Weights {
  Tensor qweight;  // [N, K/32] x 16 bytes
  Tensor scales;   // [N, K/G] fp16
  Tensor zeros;    // [N, K/G] uint8
  int group_size;
};

namespace {

int sm_count() {
  int dev = 0, sms = 0;
  SRV_CUDA_CHECK(cudaGetDevice(&dev));
  SRV_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  return sms;
}

template <int GROUP_SIZE, bool SPLIT_K>
void launch_w4_gemv(const half* x, const W4Weights& w, half* out, float* partials, int N, int K,
                    int splits, cudaStream_t stream) {
  const int k_per_split = K / splits;
  const size_t smem = (size_t)k_per_split * sizeof(half);
  auto kernel = w4a16_gemv_kernel<GROUP_SIZE, kGemvWarps, SPLIT_K>;
  if (smem > 48 * 1024)
    SRV_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  const dim3 grid((N + kGemvWarps - 1) / kGemvWarps, splits);
  kernel<<<grid, kGemvWarps * 32, smem, stream>>>(
      x, w.qweight.data_ptr<uint4>(), w.scales.data_ptr<half>(), w.zeros.data_ptr<uint8_t>(), out,
      partials, N, K, k_per_split);
  SRV_CUDA_CHECK(cudaGetLastError());
}

template <int GROUP_SIZE>
void w4_decode(const half* x, const W4Weights& w, half* out, float* workspace, size_t ws_bytes,
               int N, int K, cudaStream_t stream) {
  // Split K until there are roughly two waves of blocks; N alone rarely fills the GPU
  // for the small projections (o_proj / down_proj shards).
  const int row_blocks = (N + kGemvWarps - 1) / kGemvWarps;
  const int sms = sm_count();
  int splits = 1;
  while (splits < 8 && row_blocks * splits < 2 * sms &&
         (K / (2 * splits)) % (kChunkK * kPrefetch) == 0 &&
         (size_t)2 * splits * N * sizeof(float) <= ws_bytes)
    splits *= 2;

  if (splits == 1) {
    launch_w4_gemv<GROUP_SIZE, false>(x, w, out, nullptr, N, K, 1, stream);
    return;
  }
  launch_w4_gemv<GROUP_SIZE, true>(x, w, nullptr, workspace, N, K, splits, stream);
  splitk_reduce_kernel<<<std::min((N + 255) / 256, 1024), 256, 0, stream>>>(workspace, out, N, splits);
  SRV_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void w4a16_linear(Tensor& out, const Tensor& x, const W4Weights& w, Tensor& workspace,
                  cublasHandle_t handle, cudaStream_t stream) {
  SRV_CHECK(x.dtype == ScalarType::Half && out.dtype == ScalarType::Half, "W4A16 expects fp16 activations");
  SRV_CHECK(x.ndim == 2 && x.stride(1) == 1, "x must be [M, K] row-major");
  const int M = (int)x.size(0), K = (int)x.size(1), N = (int)w.qweight.size(0);
  SRV_CHECK(K % (kChunkK * kPrefetch) == 0, "K=", K, " must be a multiple of ", kChunkK * kPrefetch);
  SRV_CHECK(w.group_size == 64 || w.group_size == 128, "unsupported group size ", w.group_size);
  SRV_CHECK(workspace.dtype == ScalarType::UInt8 && workspace.ndim == 1, "workspace is a raw byte buffer");
  const size_t ws_bytes = (size_t)workspace.size(0);

  if (M == 1) {
    if (w.group_size == 64)
      w4_decode<64>(x.data_ptr<half>(), w, out.data_ptr<half>(), workspace.data_ptr<float>(), ws_bytes, N, K, stream);
    else
      w4_decode<128>(x.data_ptr<half>(), w, out.data_ptr<half>(), workspace.data_ptr<float>(), ws_bytes, N, K, stream);
    return;
  }

  SRV_CHECK(ws_bytes >= (size_t)N * K * sizeof(half), "workspace too small for dequantized weight");
  half* w_dense = workspace.data_ptr<half>();
  const int64_t words = (int64_t)N * (K / 32);
  const int blocks = (int)std::min<int64_t>((words + 255) / 256, 4096);
  if (w.group_size == 64)
    dequant_w4_to_fp16_kernel<64><<<blocks, 256, 0, stream>>>(w.qweight.data_ptr<uint4>(), w.scales.data_ptr<half>(),
                                                              w.zeros.data_ptr<uint8_t>(), w_dense, N, K);
  else
    dequant_w4_to_fp16_kernel<128><<<blocks, 256, 0, stream>>>(w.qweight.data_ptr<uint4>(), w.scales.data_ptr<half>(),
                                                               w.zeros.data_ptr<uint8_t>(), w_dense, N, K);
  SRV_CUDA_CHECK(cudaGetLastError());

  // out[M, N] = x[M, K] @ W[N, K]^T, expressed column-major as out^T = W^T(op) * x^T.
  const float alpha = 1.f, beta = 0.f;
  SRV_CUBLAS_CHECK(cublasSetStream(handle, stream));
  SRV_CUBLAS_CHECK(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &alpha, w_dense, CUDA_R_16F, K,
                                x.data_ptr<half>(), CUDA_R_16F, K, &beta, out.data_ptr<half>(), CUDA_R_16F, N,
                                CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT_TENSOR_OP));
}

void w8a16_linear(Tensor& out, const Tensor& x, const Tensor& qweight, const Tensor& row_scale,
                  cudaStream_t stream) {
  SRV_CHECK(x.dtype == ScalarType::Half && qweight.dtype == ScalarType::Int8, "expected fp16 x / int8 weight");
  SRV_CHECK(x.size(0) == 1, "w8a16 GEMV is decode-only (M == 1)");
  const int K = (int)x.size(1), N = (int)qweight.size(0);
  SRV_CHECK(K % 4 == 0 && qweight.stride(0) % 4 == 0, "K and row stride must be multiples of 4");
  constexpr int kThreads = 256;
  w8a16_gemv_kernel<kThreads><<<N, kThreads, 0, stream>>>(x.data_ptr<half>(), qweight.data_ptr<int8_t>(),
                                                          row_scale.data_ptr<half>(), out.data_ptr<half>(), K,
                                                          qweight.stride(0));
  SRV_CUDA_CHECK(cudaGetLastError());
}

}  // namespace serve

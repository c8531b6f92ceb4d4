// k4_modern_multi_tensor_adamw.cu
//
// One optimizer step over a whole list of bf16 parameter tensors in two launches:
//   1. multi_tensor_sqnorm_kernel: global gradient L2 norm -> clip coefficient. Per-CTA partials,
//      finished by whichever CTA arrives last, summed in a fixed order (bitwise reproducible).
//   2. multi_tensor_adamw_kernel: clip + AdamW + stochastic rounding back to bf16, fp32 moments.
// The step counter lives on the device so the pair can be captured once into a CUDA graph.

#include <cuda/std/array>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#define K4_CUDA_CHECK(expr)                                                            \
  do {                                                                                 \
    const cudaError_t k4_rc = (expr);                                                  \
    if (k4_rc != cudaSuccess) {                                                        \
      std::fprintf(stderr, "%s failed at %s:%d: %s\n", #expr, __FILE__, __LINE__,       \
                   cudaGetErrorString(k4_rc));                                         \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

#define K4_BOUNDS(threads) __launch_bounds__(threads)

namespace k4 {

using bf16 = __nv_bfloat16;
using bf162 = __nv_bfloat162;

template <int kMaxTensors>
struct TensorList {
  cuda::std::array<bf16*, kMaxTensors> params;
  cuda::std::array<const bf16*, kMaxTensors> grads;
  cuda::std::array<float*, kMaxTensors> exp_avg;
  cuda::std::array<float*, kMaxTensors> exp_avg_sq;
  cuda::std::array<int64_t, kMaxTensors> numel;
  cuda::std::array<float, kMaxTensors> weight_decay;  // 0 for biases and norm gains
  int count;
};

struct AdamWHyper {
  float lr;
  float beta1;
  float beta2;
  float eps;
  uint32_t seed;
};

template <int kThreads>
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < kThreads / 32 ? scratch[lane] : 0.0f;
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

template <int kThreads, int kMaxTensors>
__global__ void K4_BOUNDS(kThreads)
multi_tensor_sqnorm_kernel(const TensorList<kMaxTensors> tl, float* __restrict__ partials,
                           unsigned* __restrict__ ticket, float* __restrict__ clip_and_norm,
                           int* __restrict__ step, float max_norm, int chunk) {
  static_assert(kThreads % 32 == 0 && kThreads <= 1024, "whole warps");
  __shared__ float s_red[kThreads / 32];
  __shared__ bool s_is_last;

  const int t = blockIdx.y;
  const int64_t begin = int64_t(blockIdx.x) * chunk;
  const int64_t end = min(begin + chunk, tl.numel[t]);
  // Each gradient is read exactly once; const __restrict__ is enough for the compiler to route
  // these loads through the read-only data path.
  const bf16* __restrict__ g = tl.grads[t];

  float ss = 0.0f;
  for (int64_t i = begin + int64_t(threadIdx.x) * 8; i < end; i += int64_t(kThreads) * 8) {
    const uint4 raw = *reinterpret_cast<const uint4*>(g + i);
    const bf162* h = reinterpret_cast<const bf162*>(&raw);
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const float2 f = __bfloat1622float2(h[j]);
      ss = fmaf(f.x, f.x, fmaf(f.y, f.y, ss));
    }
  }
  ss = block_sum<kThreads>(ss, s_red);

  const unsigned num_blocks = gridDim.x * gridDim.y;
  if (threadIdx.x == 0) {
    partials[blockIdx.y * gridDim.x + blockIdx.x] = ss;
    __threadfence();
    s_is_last = atomicAdd(ticket, 1u) == num_blocks - 1;
  }
  __syncthreads();
  if (!s_is_last) return;

  // Last CTA in: sum every partial in index order. No floating-point atomics are involved, so
  // the norm does not depend on which CTAs finished first.
  const volatile float* vp = partials;
  float total = 0.0f;
  for (unsigned i = threadIdx.x; i < num_blocks; i += kThreads) total += vp[i];
  total = block_sum<kThreads>(total, s_red);

  if (threadIdx.x == 0) {
    const float norm = sqrtf(total);
    clip_and_norm[0] = fminf(1.0f, max_norm / (norm + 1e-6f));
    clip_and_norm[1] = norm;
    *step += 1;
    *ticket = 0u;  // re-armed for the next replay
  }
}

__device__ __forceinline__ uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  x *= 0xc2b2ae35u;
  x ^= x >> 16;
  return x;
}

// Adds uniform noise below the bf16 LSB and truncates, so x rounds away from zero with
// probability equal to the discarded fraction. Non-finite values take the plain RN path.
__device__ __forceinline__ bf16 to_bf16_stochastic(float x, uint32_t rnd) {
  const uint32_t bits = __float_as_uint(x);
  const uint32_t sr = (bits + (rnd & 0xffffu)) >> 16;
  const uint32_t rn = __bfloat16_as_ushort(__float2bfloat16_rn(x));
  return __ushort_as_bfloat16(static_cast<unsigned short>(isfinite(x) ? sr : rn));
}

template <int kThreads, int kMaxTensors>
__global__ void K4_BOUNDS(kThreads)
multi_tensor_adamw_kernel(const TensorList<kMaxTensors> tl, const float* __restrict__ clip_and_norm,
                          const int* __restrict__ step, const AdamWHyper hp, int chunk) {
  constexpr int kVec = 4;
  const int t = blockIdx.y;
  const int64_t begin = int64_t(blockIdx.x) * chunk;
  const int64_t end = min(begin + chunk, tl.numel[t]);
  if (begin >= end) return;

  // Per-launch scalars, computed once per thread rather than per element. Bias corrections are
  // folded into the step size and eps:
  //   (m / bc1) / (sqrt(v / bc2) + eps) == (lr * sqrt(bc2) / bc1) * m / (sqrt(v) + eps * sqrt(bc2))
  const float clip = clip_and_norm[0];
  const int s = *step;
  const float bc1 = 1.0f - powf(hp.beta1, float(s));
  const float bc2_sqrt = sqrtf(1.0f - powf(hp.beta2, float(s)));
  const float step_size = hp.lr * bc2_sqrt / bc1;
  const float eps_hat = hp.eps * bc2_sqrt;
  const float decay = 1.0f - hp.lr * tl.weight_decay[t];
  const uint32_t stream_key = mix32(hp.seed ^ mix32(uint32_t(s) * 0x9e3779b9u + uint32_t(t)));

  bf16* p = tl.params[t];
  const bf16* g = tl.grads[t];
  float* m = tl.exp_avg[t];
  float* v = tl.exp_avg_sq[t];

  for (int64_t i = begin + int64_t(threadIdx.x) * kVec; i < end; i += int64_t(kThreads) * kVec) {
    // Moments are touched exactly once per step: stream them (evict-first) instead of letting
    // them push the parameters out of L2.
    const float4 m4 = __ldcs(reinterpret_cast<const float4*>(m + i));
    const float4 v4 = __ldcs(reinterpret_cast<const float4*>(v + i));
    const uint2 graw = *reinterpret_cast<const uint2*>(g + i);
    const uint2 praw = *reinterpret_cast<const uint2*>(p + i);

    const float2 g01 = __bfloat1622float2(*reinterpret_cast<const bf162*>(&graw.x));
    const float2 g23 = __bfloat1622float2(*reinterpret_cast<const bf162*>(&graw.y));
    const float2 p01 = __bfloat1622float2(*reinterpret_cast<const bf162*>(&praw.x));
    const float2 p23 = __bfloat1622float2(*reinterpret_cast<const bf162*>(&praw.y));
    float gf[kVec] = {g01.x, g01.y, g23.x, g23.y};
    float pf[kVec] = {p01.x, p01.y, p23.x, p23.y};
    float mf[kVec] = {m4.x, m4.y, m4.z, m4.w};
    float vf[kVec] = {v4.x, v4.y, v4.z, v4.w};

#pragma unroll
    for (int j = 0; j < kVec; ++j) {
      const float gj = gf[j] * clip;
      const float g2 = gj * gj;
      // beta * a + (1 - beta) * b as two FMAs
      mf[j] = fmaf(hp.beta1, mf[j], fmaf(-hp.beta1, gj, gj));
      vf[j] = fmaf(hp.beta2, vf[j], fmaf(-hp.beta2, g2, g2));
      pf[j] = fmaf(-step_size, __fdividef(mf[j], sqrtf(vf[j]) + eps_hat), pf[j] * decay);
    }

    __stcs(reinterpret_cast<float4*>(m + i), make_float4(mf[0], mf[1], mf[2], mf[3]));
    __stcs(reinterpret_cast<float4*>(v + i), make_float4(vf[0], vf[1], vf[2], vf[3]));

    const uint32_t r = mix32(stream_key ^ uint32_t(i));
    const uint32_t r2 = mix32(r);
    uint2 out;
    *reinterpret_cast<bf162*>(&out.x) = __halves2bfloat162(to_bf16_stochastic(pf[0], r),
                                                           to_bf16_stochastic(pf[1], r >> 16));
    *reinterpret_cast<bf162*>(&out.y) = __halves2bfloat162(to_bf16_stochastic(pf[2], r2),
                                                           to_bf16_stochastic(pf[3], r2 >> 16));
    *reinterpret_cast<uint2*>(p + i) = out;
  }
}

// ------------------------------------------------------------------------------------------

template <class Handle, cudaError_t (*Destroy)(Handle)>
class CudaHandle {
 public:
  CudaHandle() = default;
  explicit CudaHandle(Handle h) : h_(h) {}
  ~CudaHandle() { reset(); }
  CudaHandle(const CudaHandle&) = delete;
  CudaHandle& operator=(const CudaHandle&) = delete;
  CudaHandle(CudaHandle&& o) noexcept : h_(std::exchange(o.h_, Handle{})) {}
  CudaHandle& operator=(CudaHandle&& o) noexcept {
    if (this != &o) reset(), h_ = std::exchange(o.h_, Handle{});
    return *this;
  }
  void reset() {
    if (h_) Destroy(h_);
    h_ = Handle{};
  }
  Handle get() const { return h_; }
  Handle* out() { return &h_; }

 private:
  Handle h_{};
};

using Stream = CudaHandle<cudaStream_t, cudaStreamDestroy>;
using Graph = CudaHandle<cudaGraph_t, cudaGraphDestroy>;
using GraphExec = CudaHandle<cudaGraphExec_t, cudaGraphExecDestroy>;

template <class T>
struct DeviceArray {
  T* ptr = nullptr;
  size_t n = 0;
  explicit DeviceArray(size_t count) : n(count) {
    K4_CUDA_CHECK(cudaMalloc(&ptr, count * sizeof(T)));
    K4_CUDA_CHECK(cudaMemset(ptr, 0, count * sizeof(T)));
  }
  ~DeviceArray() { cudaFree(ptr); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
};

}  // namespace k4

int main() {
  using namespace k4;
  constexpr int kMaxTensors = 16, kThreads = 256, kChunk = 16 * 1024, kSteps = 10;
  // one transformer block: qkv, proj, fc, fc_proj (+ biases), two layernorm gains/biases
  const std::vector<int64_t> shapes = {768 * 2304, 2304, 768 * 768, 768, 768 * 3072,
                                       3072,       3072 * 768, 768, 768, 768, 768, 768};
  const std::vector<float> decay = {0.1f, 0.0f, 0.1f, 0.0f, 0.1f, 0.0f,
                                    0.1f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  static_assert(kChunk % 8 == 0, "chunks must keep 16 B alignment");
  for (int64_t n : shapes)
    if (n % 8 != 0) {
      std::fprintf(stderr, "tensor of %lld elements is not a multiple of 8\n", (long long)n);
      return 1;
    }

  // Every tensor starts on its own 128 B line inside the flat buffers, so the 16 B / 8 B vector
  // accesses are aligned and no two tensors share a cache line.
  constexpr int64_t kAlignElems = 128 / sizeof(bf16);
  std::vector<int64_t> offset(shapes.size());
  int64_t total = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    offset[i] = total;
    total += (shapes[i] + kAlignElems - 1) / kAlignElems * kAlignElems;
  }

  DeviceArray<bf16> params(total), grads(total);
  DeviceArray<float> exp_avg(total), exp_avg_sq(total);

  TensorList<kMaxTensors> tl{};
  tl.count = int(shapes.size());
  int max_chunks = 0;
  for (int i = 0; i < tl.count; ++i) {
    tl.params[i] = params.ptr + offset[i];
    tl.grads[i] = grads.ptr + offset[i];
    tl.exp_avg[i] = exp_avg.ptr + offset[i];
    tl.exp_avg_sq[i] = exp_avg_sq.ptr + offset[i];
    tl.numel[i] = shapes[i];
    tl.weight_decay[i] = decay[i];
    max_chunks = std::max<int>(max_chunks, int((shapes[i] + kChunk - 1) / kChunk));
  }

  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<bf16> h_p(total), h_g(total);
  for (int64_t i = 0; i < total; ++i) {
    h_p[i] = __float2bfloat16(0.02f * nd(rng));
    h_g[i] = __float2bfloat16(0.5f * nd(rng));
  }
  K4_CUDA_CHECK(cudaMemcpy(params.ptr, h_p.data(), total * sizeof(bf16), cudaMemcpyHostToDevice));
  K4_CUDA_CHECK(cudaMemcpy(grads.ptr, h_g.data(), total * sizeof(bf16), cudaMemcpyHostToDevice));

  DeviceArray<float> partials(size_t(max_chunks) * tl.count), clip_and_norm(2);
  DeviceArray<unsigned> ticket(1);
  DeviceArray<int> step(1);

  const AdamWHyper hp{3e-4f, 0.9f, 0.95f, 1e-8f, 0x5eedu};
  const dim3 grid(max_chunks, tl.count);

  Stream stream;
  K4_CUDA_CHECK(cudaStreamCreateWithFlags(stream.out(), cudaStreamNonBlocking));
  Graph graph;
  GraphExec exec;
  K4_CUDA_CHECK(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeThreadLocal));
  multi_tensor_sqnorm_kernel<kThreads, kMaxTensors><<<grid, kThreads, 0, stream.get()>>>(
      tl, partials.ptr, ticket.ptr, clip_and_norm.ptr, step.ptr, 1.0f, kChunk);
  multi_tensor_adamw_kernel<kThreads, kMaxTensors>
      <<<grid, kThreads, 0, stream.get()>>>(tl, clip_and_norm.ptr, step.ptr, hp, kChunk);
  K4_CUDA_CHECK(cudaStreamEndCapture(stream.get(), graph.out()));
  K4_CUDA_CHECK(cudaGraphInstantiate(exec.out(), graph.get(), 0));

  for (int s = 0; s < kSteps; ++s) K4_CUDA_CHECK(cudaGraphLaunch(exec.get(), stream.get()));
  K4_CUDA_CHECK(cudaStreamSynchronize(stream.get()));

  float h_clip[2] = {};
  int h_step = 0;
  K4_CUDA_CHECK(cudaMemcpy(h_clip, clip_and_norm.ptr, sizeof(h_clip), cudaMemcpyDeviceToHost));
  K4_CUDA_CHECK(cudaMemcpy(&h_step, step.ptr, sizeof(int), cudaMemcpyDeviceToHost));
  K4_CUDA_CHECK(cudaMemcpy(h_p.data(), params.ptr, total * sizeof(bf16), cudaMemcpyDeviceToHost));
  std::printf("%d tensors, %lld elements, step %d: grad norm %.4f (clip %.4f), p[0] = %.6f\n",
              tl.count, static_cast<long long>(std::accumulate(shapes.begin(), shapes.end(),
                                                               int64_t{0})),
              h_step, h_clip[1], h_clip[0], __bfloat162float(h_p[0]));
  return 0;
}

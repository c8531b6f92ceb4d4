// k4_modern_cluster_softmax.cu
//
// Hopper (sm_90) kernels for the LM head / decoder stack:
//  * cluster_softmax_kernel: one thread-block cluster per vocabulary row. Every CTA stages its
//    slice of the row in shared memory, reduces it to a (max, sum) pair, and the pairs are
//    exchanged through distributed shared memory so no partials ever go to global memory.
//  * fused_add_rmsnorm_kernel: residual += x; out = rmsnorm(residual) * gamma, bf16 I/O.

#include <cooperative_groups.h>
#include <cuda/std/array>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>
#include <vector>

namespace cg = cooperative_groups;

#define K4_CUDA_CHECK(expr)                                                               \
  do {                                                                                    \
    const cudaError_t k4_status = (expr);                                                 \
    if (k4_status != cudaSuccess) {                                                       \
      std::fprintf(stderr, "[k4] %s (%s:%d)\n", cudaGetErrorString(k4_status), __FILE__,  \
                   __LINE__);                                                             \
      std::exit(EXIT_FAILURE);                                                            \
    }                                                                                     \
  } while (0)

#define K4_BOUNDS(max_threads) __launch_bounds__(max_threads)

namespace k4 {

using bf16 = __nv_bfloat16;
using bf162 = __nv_bfloat162;

// Running softmax statistics in the exp2 domain (inputs are pre-multiplied by log2(e)).
struct SoftmaxStat {
  float m;
  float s;
};

__device__ __forceinline__ SoftmaxStat combine(SoftmaxStat a, SoftmaxStat b) {
  const float m = fmaxf(a.m, b.m);
  return {m, a.s * exp2f(a.m - m) + b.s * exp2f(b.m - m)};
}

__device__ __forceinline__ SoftmaxStat warp_combine(SoftmaxStat v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    const SoftmaxStat other{__shfl_xor_sync(0xffffffffu, v.m, offset),
                            __shfl_xor_sync(0xffffffffu, v.s, offset)};
    v = combine(v, other);
  }
  return v;
}

template <int kThreads>
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  constexpr int kWarps = kThreads / 32;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < kWarps ? scratch[lane] : 0.0f;
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// four fp16 values moved as one 8-byte access
struct alignas(8) Half4 {
  __half2 lo;
  __half2 hi;
};

template <int kClusterSize, int kThreads>
__global__ void K4_BOUNDS(kThreads)
cluster_softmax_kernel(const __half* __restrict__ logits, __half* __restrict__ probs, int vocab,
                       float inv_temperature) {
  static_assert(kClusterSize >= 2 && kClusterSize <= 8, "portable cluster sizes only");
  static_assert(kThreads % 32 == 0 && kThreads <= 1024, "whole warps");
  constexpr int kWarps = kThreads / 32;

  // The slice (vocab / kClusterSize halves) is far too large to keep in registers.
  extern __shared__ Half4 s_slice[];
  __shared__ SoftmaxStat s_warp[kWarps];
  __shared__ SoftmaxStat s_cta;

  cg::cluster_group cluster = cg::this_cluster();
  cg::thread_block block = cg::this_thread_block();
  const unsigned rank = cluster.block_rank();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;

  const int slice = vocab / kClusterSize;
  const int quads = slice / 4;
  const size_t base = size_t(blockIdx.y) * vocab + size_t(rank) * slice;
  const Half4* src = reinterpret_cast<const Half4*>(logits + base);
  Half4* dst = reinterpret_cast<Half4*>(probs + base);

  const float scale = inv_temperature * 1.4426950408889634f;  // fold log2(e), use exp2f below

  SoftmaxStat st{-FLT_MAX, 0.0f};
  for (int q = threadIdx.x; q < quads; q += kThreads) {
    const Half4 v = src[q];
    s_slice[q] = v;
    const float2 a = __half22float2(v.lo);
    const float2 b = __half22float2(v.hi);
    const float x0 = a.x * scale, x1 = a.y * scale, x2 = b.x * scale, x3 = b.y * scale;
    const float m_new = fmaxf(st.m, fmaxf(fmaxf(x0, x1), fmaxf(x2, x3)));
    st.s = st.s * exp2f(st.m - m_new) + exp2f(x0 - m_new) + exp2f(x1 - m_new) +
           exp2f(x2 - m_new) + exp2f(x3 - m_new);
    st.m = m_new;
  }

  st = warp_combine(st);
  if (lane == 0) s_warp[warp] = st;
  block.sync();
  if (warp == 0) {
    SoftmaxStat v = lane < kWarps ? s_warp[lane] : SoftmaxStat{-FLT_MAX, 0.0f};
    v = warp_combine(v);
    if (lane == 0) s_cta = v;
  }
  // every CTA must have published s_cta before any peer reads it through DSMEM
  cluster.sync();

  // Same rank order in every CTA, so all of them arrive at bit-identical (m, s).
  SoftmaxStat row{-FLT_MAX, 0.0f};
#pragma unroll
  for (int r = 0; r < kClusterSize; ++r) row = combine(row, *cluster.map_shared_rank(&s_cta, r));
  const float inv_sum = 1.0f / row.s;

  for (int q = threadIdx.x; q < quads; q += kThreads) {
    const Half4 v = s_slice[q];
    const float2 a = __half22float2(v.lo);
    const float2 b = __half22float2(v.hi);
    Half4 o;
    o.lo = __floats2half2_rn(exp2f(a.x * scale - row.m) * inv_sum,
                             exp2f(a.y * scale - row.m) * inv_sum);
    o.hi = __floats2half2_rn(exp2f(b.x * scale - row.m) * inv_sum,
                             exp2f(b.y * scale - row.m) * inv_sum);
    dst[q] = o;
  }

  // s_cta must stay alive until every peer has read it
  cluster.sync();
}

template <int kHidden, int kThreads>
__global__ void K4_BOUNDS(kThreads)
fused_add_rmsnorm_kernel(bf16* __restrict__ residual, const bf16* __restrict__ x,
                         const bf16* __restrict__ gamma, bf16* __restrict__ out, float eps) {
  constexpr int kVec = 8;  // bf16 per 16-byte access
  static_assert(kHidden % (kVec * kThreads) == 0, "hidden size must tile the CTA exactly");
  constexpr int kIters = kHidden / (kVec * kThreads);
  __shared__ float s_red[kThreads / 32];

  const size_t row = size_t(blockIdx.x) * kHidden;
  uint4* res_v = reinterpret_cast<uint4*>(residual + row);
  const uint4* x_v = reinterpret_cast<const uint4*>(x + row);
  const uint4* g_v = reinterpret_cast<const uint4*>(gamma);
  uint4* out_v = reinterpret_cast<uint4*>(out + row);

  // The summed row stays in registers between the sum-of-squares and the scaling pass, so
  // residual is read once and written once.
  alignas(16) bf162 h[kIters][kVec / 2];
  float sumsq = 0.0f;
#pragma unroll
  for (int it = 0; it < kIters; ++it) {
    const int v = it * kThreads + threadIdx.x;
    const uint4 r = res_v[v];
    const uint4 d = x_v[v];
    const bf162* r2 = reinterpret_cast<const bf162*>(&r);
    const bf162* d2 = reinterpret_cast<const bf162*>(&d);
#pragma unroll
    for (int j = 0; j < kVec / 2; ++j) {
      h[it][j] = __hadd2(r2[j], d2[j]);
      const float2 f = __bfloat1622float2(h[it][j]);
      sumsq = fmaf(f.x, f.x, fmaf(f.y, f.y, sumsq));
    }
    res_v[v] = *reinterpret_cast<const uint4*>(h[it]);
  }

  const float rstd = rsqrtf(block_sum<kThreads>(sumsq, s_red) / float(kHidden) + eps);

#pragma unroll
  for (int it = 0; it < kIters; ++it) {
    const int v = it * kThreads + threadIdx.x;
    const uint4 g = g_v[v];
    const bf162* g2 = reinterpret_cast<const bf162*>(&g);
    alignas(16) bf162 o[kVec / 2];
#pragma unroll
    for (int j = 0; j < kVec / 2; ++j) {
      const float2 f = __bfloat1622float2(h[it][j]);
      const float2 w = __bfloat1622float2(g2[j]);
      o[j] = __floats2bfloat162_rn(f.x * rstd * w.x, f.y * rstd * w.y);
    }
    out_v[v] = *reinterpret_cast<const uint4*>(o);
  }
}

// ------------------------------------------------------------------------------------------

class Stream {
 public:
  Stream() { K4_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  ~Stream() { if (s_) cudaStreamDestroy(s_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_{};
};

class Event {
 public:
  Event() { K4_CUDA_CHECK(cudaEventCreateWithFlags(&e_, cudaEventDisableTiming)); }
  ~Event() { if (e_) cudaEventDestroy(e_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_{};
};

template <class T, bool kPinnedHost = false>
class Buffer {
 public:
  explicit Buffer(size_t n) : n_(n) {
    if constexpr (kPinnedHost)
      K4_CUDA_CHECK(cudaMallocHost(&p_, n * sizeof(T)));
    else
      K4_CUDA_CHECK(cudaMalloc(&p_, n * sizeof(T)));
  }
  ~Buffer() {
    if constexpr (kPinnedHost) cudaFreeHost(p_);
    else cudaFree(p_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  T* data() const { return p_; }
  T& operator[](size_t i) const { return p_[i]; }
  size_t size() const { return n_; }
  size_t bytes() const { return n_ * sizeof(T); }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

template <class T>
using HostBuffer = Buffer<T, true>;

template <int kClusterSize, int kThreads>
void launch_cluster_softmax(const __half* logits, __half* probs, int rows, int vocab,
                            float inv_temperature, cudaStream_t stream) {
  if (vocab % (4 * kClusterSize) != 0) {
    std::fprintf(stderr, "vocab %d must be a multiple of %d\n", vocab, 4 * kClusterSize);
    std::exit(EXIT_FAILURE);
  }
  auto kernel = cluster_softmax_kernel<kClusterSize, kThreads>;

  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(kClusterSize, rows, 1);
  cfg.blockDim = dim3(kThreads, 1, 1);
  cfg.dynamicSmemBytes = size_t(vocab / kClusterSize) * sizeof(__half);
  cfg.stream = stream;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = kClusterSize;
  attr[0].val.clusterDim.y = 1;
  attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = 1;

  int max_clusters = 0;
  K4_CUDA_CHECK(cudaOccupancyMaxActiveClusters(&max_clusters, kernel, &cfg));
  if (max_clusters == 0) {
    std::fprintf(stderr, "cluster of %d CTAs with %zu B smem cannot be co-scheduled\n",
                 kClusterSize, cfg.dynamicSmemBytes);
    std::exit(EXIT_FAILURE);
  }
  K4_CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, logits, probs, vocab, inv_temperature));
}

}  // namespace k4

int main() {
  using namespace k4;
  constexpr int kRows = 64, kVocab = 128000, kCluster = 8, kSoftmaxThreads = 512;
  constexpr int kTokens = 512, kHidden = 4096, kNormThreads = 256;

  HostBuffer<__half> h_logits(size_t(kRows) * kVocab), h_probs(size_t(kRows) * kVocab);
  HostBuffer<bf16> h_res(size_t(kTokens) * kHidden), h_x(size_t(kTokens) * kHidden),
      h_gamma(kHidden), h_out(size_t(kTokens) * kHidden);
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 2.0f);
  for (size_t i = 0; i < h_logits.size(); ++i) h_logits[i] = __float2half(nd(rng));
  for (size_t i = 0; i < h_res.size(); ++i) {
    h_res[i] = __float2bfloat16(0.5f * nd(rng));
    h_x[i] = __float2bfloat16(0.5f * nd(rng));
  }
  for (int i = 0; i < kHidden; ++i) h_gamma[i] = __float2bfloat16(1.0f + 0.01f * nd(rng));

  Buffer<__half> d_logits(h_logits.size()), d_probs(h_probs.size());
  Buffer<bf16> d_res(h_res.size()), d_x(h_x.size()), d_gamma(kHidden), d_out(h_out.size());

  // The LM-head softmax and the next layer's norm are independent: run them side by side.
  Stream head, norm;
  Event norm_done;

  K4_CUDA_CHECK(cudaMemcpyAsync(d_logits.data(), h_logits.data(), d_logits.bytes(),
                                cudaMemcpyHostToDevice, head.get()));
  launch_cluster_softmax<kCluster, kSoftmaxThreads>(d_logits.data(), d_probs.data(), kRows,
                                                    kVocab, 1.0f, head.get());
  K4_CUDA_CHECK(cudaMemcpyAsync(h_probs.data(), d_probs.data(), d_probs.bytes(),
                                cudaMemcpyDeviceToHost, head.get()));

  for (auto [d, h] :
       {std::pair{&d_res, &h_res}, std::pair{&d_x, &h_x}, std::pair{&d_gamma, &h_gamma}})
    K4_CUDA_CHECK(cudaMemcpyAsync(d->data(), h->data(), h->bytes(), cudaMemcpyHostToDevice,
                                  norm.get()));
  fused_add_rmsnorm_kernel<kHidden, kNormThreads>
      <<<kTokens, kNormThreads, 0, norm.get()>>>(d_res.data(), d_x.data(), d_gamma.data(),
                                                 d_out.data(), 1e-6f);
  K4_CUDA_CHECK(cudaGetLastError());
  K4_CUDA_CHECK(cudaMemcpyAsync(h_out.data(), d_out.data(), d_out.bytes(),
                                cudaMemcpyDeviceToHost, norm.get()));
  K4_CUDA_CHECK(cudaEventRecord(norm_done.get(), norm.get()));

  K4_CUDA_CHECK(cudaStreamWaitEvent(head.get(), norm_done.get(), 0));
  K4_CUDA_CHECK(cudaStreamSynchronize(head.get()));

  double worst = 0.0;
  for (int r = 0; r < kRows; ++r) {
    double s = 0.0;
    for (int v = 0; v < kVocab; ++v) s += __half2float(h_probs[size_t(r) * kVocab + v]);
    worst = std::max(worst, std::abs(s - 1.0));
  }
  std::printf("softmax rows: max |sum - 1| = %.3e\n", worst);
  std::printf("rmsnorm out[0..3] = %f %f %f %f\n", __bfloat162float(h_out[0]),
              __bfloat162float(h_out[1]), __bfloat162float(h_out[2]), __bfloat162float(h_out[3]));
  return 0;
}

// k4_modern_fp8_gemv_ws.cu
//
// Weight-only fp8 (e4m3, one scale per output row) GEMV for small-batch decode, sm_89 / sm_90:
//     y[b, n] = row_scale[n] * sum_k W8[n, k] * x[b, k],   b < kBatch
// Persistent CTAs pull row blocks from a global work queue. Inside a CTA, warp 0 streams weight
// tiles into a ring of shared-memory stages with cuda::memcpy_async and the consumer warps
// compute out of the ring; full/empty cuda::barrier pairs pass the stages back and forth.

#include <cooperative_groups.h>
#include <cooperative_groups/memcpy_async.h>
#include <cooperative_groups/reduce.h>
#include <cuda/barrier>
#include <cuda/std/array>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

namespace cg = cooperative_groups;

#define K4_CUDA_CHECK(expr)                                                                \
  do {                                                                                     \
    if (const cudaError_t e_ = (expr); e_ != cudaSuccess) {                                \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #expr,                    \
                   cudaGetErrorString(e_));                                                \
      std::exit(1);                                                                        \
    }                                                                                      \
  } while (0)

#define K4_LAUNCH_BOUNDS(threads, min_ctas) __launch_bounds__(threads, min_ctas)
#define K4_LAUNCH_BOUNDS_DEFAULT(threads) __launch_bounds__(threads)

namespace k4 {

using bf16 = __nv_bfloat16;
using bf162 = __nv_bfloat162;
using fp8 = __nv_fp8_e4m3;
using block_barrier = cuda::barrier<cuda::thread_scope_block>;

template <int kRows_, int kStages_, int kConsumerWarps_, int kBatch_>
struct Fp8GemvConfig {
  static constexpr int kRows = kRows_;  // weight rows per work item
  static constexpr int kStages = kStages_;
  static constexpr int kConsumerWarps = kConsumerWarps_;
  static constexpr int kBatch = kBatch_;
  static constexpr int kVec = 16;                // fp8 per lane per row per stage (one uint4)
  static constexpr int kTileK = 32 * kVec;
  static constexpr int kThreads = 32 * (1 + kConsumerWarps);  // warp 0 is the producer
  static constexpr int kRowsPerWarp = kRows / kConsumerWarps;
  static constexpr int kStageBytes = kRows * kTileK;
  static constexpr int kMinCtasPerSm = 2;

  static_assert(kRows % kConsumerWarps == 0, "rows must split evenly over consumer warps");
  static_assert(kStages >= 2, "need at least double buffering");
  static_assert(kRowsPerWarp * kBatch <= 32, "accumulator tile has to stay in registers");

  static constexpr size_t smem_bytes(int K) {
    return size_t(kBatch) * K * sizeof(bf16) + size_t(kStages) * kStageBytes;
  }
};

using DecodeConfig = Fp8GemvConfig<16, 4, 4, 4>;

struct StageTag {
  int item;    // row block, or -1 once the queue is drained
  int k_tile;
};

__device__ __forceinline__ void dequant16(const uint4& q, float (&out)[16]) {
  const cuda::std::array<unsigned, 4> words{q.x, q.y, q.z, q.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    __nv_fp8x4_e4m3 v;
    v.__x = words[i];
    const float4 f = static_cast<float4>(v);
    out[4 * i + 0] = f.x;
    out[4 * i + 1] = f.y;
    out[4 * i + 2] = f.z;
    out[4 * i + 3] = f.w;
  }
}

__device__ __forceinline__ void bf16x8_to_float(const uint4& v, float* out) {
  const bf162* h = reinterpret_cast<const bf162*>(&v);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 f = __bfloat1622float2(h[i]);
    out[2 * i] = f.x;
    out[2 * i + 1] = f.y;
  }
}

template <class Cfg>
__global__ void K4_LAUNCH_BOUNDS(Cfg::kThreads, Cfg::kMinCtasPerSm)
fp8_gemv_ws_kernel(const fp8* __restrict__ w, const float* __restrict__ row_scale,
                   const bf16* __restrict__ x, bf16* __restrict__ y, int N, int K,
                   int* __restrict__ work_counter) {
  extern __shared__ __align__(16) unsigned char smem[];
  bf16* s_x = reinterpret_cast<bf16*>(smem);                           // [kBatch][K]
  unsigned char* s_w = smem + size_t(Cfg::kBatch) * K * sizeof(bf16);  // [kStages][kRows][kTileK]

#pragma nv_diag_suppress static_var_with_dynamic_init
  __shared__ block_barrier full[Cfg::kStages];
  __shared__ block_barrier empty[Cfg::kStages];
  __shared__ StageTag s_tag[Cfg::kStages];

  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
  const int warp_id = warp.meta_group_rank();
  const int lane = warp.thread_rank();
  const int num_items = N / Cfg::kRows;
  const int k_tiles = K / Cfg::kTileK;

  if (block.thread_rank() < Cfg::kStages) {
    init(&full[block.thread_rank()], block.size());
    init(&empty[block.thread_rank()], block.size());
  }
  // x is reused by every row block this CTA will process: stage it once.
  cg::memcpy_async(block, s_x, x, cuda::aligned_size_t<16>(sizeof(bf16) * Cfg::kBatch * K));
  cg::wait(block);
  block.sync();

  if (warp_id == 0) {
    // ---- producer ----
    int stage = 0;
    for (;;) {
      int item = 0;
      // dynamic scheduling: the next row block goes to whichever CTA asks first
      if (lane == 0) item = atomicAdd(work_counter, 1);
      item = warp.shfl(item, 0);
      const bool drained = item >= num_items;
      const int tiles = drained ? 1 : k_tiles;  // a drained queue still emits one sentinel stage
      for (int kt = 0; kt < tiles; ++kt) {
        empty[stage].arrive_and_wait();
        if (lane == 0) s_tag[stage] = StageTag{drained ? -1 : item, kt};
        if (!drained) {
          unsigned char* dst = s_w + size_t(stage) * Cfg::kStageBytes;
          const fp8* src = w + size_t(item) * Cfg::kRows * K + size_t(kt) * Cfg::kTileK;
          for (int r = 0; r < Cfg::kRows; ++r)
            cuda::memcpy_async(warp, dst + r * Cfg::kTileK, src + size_t(r) * K,
                               cuda::aligned_size_t<16>(Cfg::kTileK), full[stage]);
        }
        (void)full[stage].arrive();
        stage = stage + 1 == Cfg::kStages ? 0 : stage + 1;
      }
      if (drained) break;
    }
    return;
  }

  // ---- consumers: each warp owns kRowsPerWarp rows of the current row block ----
  const int row0 = (warp_id - 1) * Cfg::kRowsPerWarp;
#pragma unroll
  for (int s = 0; s < Cfg::kStages; ++s) (void)empty[s].arrive();  // every slot starts free

  float acc[Cfg::kRowsPerWarp][Cfg::kBatch] = {};
  int stage = 0;
  for (;;) {
    full[stage].arrive_and_wait();
    const StageTag tag = s_tag[stage];
    if (tag.item < 0) break;

    const unsigned char* tile = s_w + size_t(stage) * Cfg::kStageBytes;
    float wf[Cfg::kRowsPerWarp][Cfg::kVec];
#pragma unroll
    for (int r = 0; r < Cfg::kRowsPerWarp; ++r)
      dequant16(*reinterpret_cast<const uint4*>(tile + (row0 + r) * Cfg::kTileK + lane * Cfg::kVec),
                wf[r]);
    (void)empty[stage].arrive();  // weights are in registers now; give the slot back early

    const int k0 = tag.k_tile * Cfg::kTileK + lane * Cfg::kVec;
#pragma unroll
    for (int b = 0; b < Cfg::kBatch; ++b) {
      const uint4* xs = reinterpret_cast<const uint4*>(s_x + size_t(b) * K + k0);
      float xf[Cfg::kVec];
      bf16x8_to_float(xs[0], xf);
      bf16x8_to_float(xs[1], xf + 8);
#pragma unroll
      for (int r = 0; r < Cfg::kRowsPerWarp; ++r)
#pragma unroll
        for (int i = 0; i < Cfg::kVec; ++i) acc[r][b] = fmaf(wf[r][i], xf[i], acc[r][b]);
    }

    if (tag.k_tile == k_tiles - 1) {
      const int row_base = tag.item * Cfg::kRows + row0;
#pragma unroll
      for (int r = 0; r < Cfg::kRowsPerWarp; ++r) {
        const float scale = row_scale[row_base + r];
#pragma unroll
        for (int b = 0; b < Cfg::kBatch; ++b) {
          const float dot = cg::reduce(warp, acc[r][b], cg::plus<float>());
          if (lane == 0) y[size_t(b) * N + row_base + r] = __float2bfloat16(dot * scale);
          acc[r][b] = 0.0f;
        }
      }
    }
    stage = stage + 1 == Cfg::kStages ? 0 : stage + 1;
  }
}

template <int kThreads>
__device__ __forceinline__ float block_max_all(float v, float* scratch) {
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = scratch[0];
#pragma unroll
  for (int i = 1; i < kThreads / 32; ++i) v = fmaxf(v, scratch[i]);
  return v;
}

// Fused amax + quantize: one CTA per weight row, bf16 -> e4m3 with a per-row scale.
template <int kThreads>
__global__ void K4_LAUNCH_BOUNDS_DEFAULT(kThreads)
quantize_rows_fp8_kernel(const bf16* __restrict__ w, fp8* __restrict__ wq,
                         float* __restrict__ row_scale, unsigned* __restrict__ tensor_amax_bits,
                         int K) {
  constexpr float kFp8Max = 448.0f;
  __shared__ float s_red[kThreads / 32];
  const bf162* row = reinterpret_cast<const bf162*>(w + size_t(blockIdx.x) * K);
  const int pairs = K / 2;

  bf162 m2 = __float2bfloat162_rn(0.0f);
  for (int i = threadIdx.x; i < pairs; i += kThreads) m2 = __hmax2(m2, __habs2(row[i]));
  const float amax = block_max_all<kThreads>(fmaxf(__low2float(m2), __high2float(m2)), s_red);

  const float scale = fmaxf(amax, 1e-12f) / kFp8Max;
  const float inv_scale = __frcp_rn(scale);
  if (threadIdx.x == 0) {
    row_scale[blockIdx.x] = scale;
    atomicMax(tensor_amax_bits, __float_as_uint(amax));  // amax >= 0, so uint order == float order
  }

  // Rows can be 32 KB+ and several CTAs share an SM's L1: walk the row back to front so the
  // second pass starts on the lines the amax pass touched last.
  auto* out = reinterpret_cast<__nv_fp8x2_storage_t*>(wq + size_t(blockIdx.x) * K);
  for (int i = pairs - 1 - int(threadIdx.x); i >= 0; i -= kThreads) {
    const float2 f = __bfloat1622float2(row[i]);
    out[i] = __nv_cvt_float2_to_fp8x2(make_float2(f.x * inv_scale, f.y * inv_scale),
                                      __NV_SATFINITE, __NV_E4M3);
  }
}

// ------------------------------------------------------------------------------------------

struct DeviceFree {
  void operator()(void* p) const { cudaFree(p); }
};
struct HostFree {
  void operator()(void* p) const { cudaFreeHost(p); }
};
struct StreamDestroy {
  void operator()(cudaStream_t s) const { cudaStreamDestroy(s); }
};
struct EventDestroy {
  void operator()(cudaEvent_t e) const { cudaEventDestroy(e); }
};

template <class T>
using device_ptr = std::unique_ptr<T[], DeviceFree>;
template <class T>
using pinned_ptr = std::unique_ptr<T[], HostFree>;
using stream_ptr = std::unique_ptr<std::remove_pointer_t<cudaStream_t>, StreamDestroy>;
using event_ptr = std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, EventDestroy>;

template <class T>
device_ptr<T> make_device(size_t n) {
  void* p = nullptr;
  K4_CUDA_CHECK(cudaMalloc(&p, n * sizeof(T)));
  return device_ptr<T>(static_cast<T*>(p));
}
template <class T>
pinned_ptr<T> make_pinned(size_t n) {
  void* p = nullptr;
  K4_CUDA_CHECK(cudaMallocHost(&p, n * sizeof(T)));
  return pinned_ptr<T>(static_cast<T*>(p));
}
inline stream_ptr make_stream() {
  cudaStream_t s = nullptr;
  K4_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return stream_ptr(s);
}
inline event_ptr make_event() {
  cudaEvent_t e = nullptr;
  K4_CUDA_CHECK(cudaEventCreateWithFlags(&e, cudaEventDisableTiming));
  return event_ptr(e);
}

}  // namespace k4

int main() {
  using namespace k4;
  using Cfg = DecodeConfig;
  constexpr int N = 11008, K = 4096, kQuantThreads = 256;
  static_assert(N % Cfg::kRows == 0 && K % Cfg::kTileK == 0, "problem must tile exactly");

  int dev = 0, sms = 0;
  K4_CUDA_CHECK(cudaGetDevice(&dev));
  K4_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));

  auto h_w = make_pinned<bf16>(size_t(N) * K);
  auto h_x = make_pinned<bf16>(size_t(Cfg::kBatch) * K);
  std::mt19937 rng(42);
  std::normal_distribution<float> nd(0.0f, 0.02f);
  for (size_t i = 0; i < size_t(N) * K; ++i) h_w[i] = __float2bfloat16(nd(rng));
  for (size_t i = 0; i < size_t(Cfg::kBatch) * K; ++i) h_x[i] = __float2bfloat16(50.0f * nd(rng));

  auto d_w = make_device<bf16>(size_t(N) * K);
  auto d_wq = make_device<fp8>(size_t(N) * K);
  auto d_scale = make_device<float>(N);
  auto d_x = make_device<bf16>(size_t(Cfg::kBatch) * K);
  auto d_y = make_device<bf16>(size_t(Cfg::kBatch) * N);
  auto d_counters = make_device<unsigned>(2);  // [0] work queue head, [1] tensor amax bits

  auto compute = make_stream();
  auto upload = make_stream();
  auto x_ready = make_event();

  // Activations go up on their own stream while the weights are uploaded and quantized.
  K4_CUDA_CHECK(cudaMemcpyAsync(d_x.get(), h_x.get(), sizeof(bf16) * Cfg::kBatch * K,
                                cudaMemcpyHostToDevice, upload.get()));
  K4_CUDA_CHECK(cudaEventRecord(x_ready.get(), upload.get()));

  K4_CUDA_CHECK(cudaMemsetAsync(d_counters.get(), 0, 2 * sizeof(unsigned), compute.get()));
  K4_CUDA_CHECK(cudaMemcpyAsync(d_w.get(), h_w.get(), sizeof(bf16) * N * K,
                                cudaMemcpyHostToDevice, compute.get()));
  quantize_rows_fp8_kernel<kQuantThreads><<<N, kQuantThreads, 0, compute.get()>>>(
      d_w.get(), d_wq.get(), d_scale.get(), d_counters.get() + 1, K);
  K4_CUDA_CHECK(cudaGetLastError());

  auto gemv = fp8_gemv_ws_kernel<Cfg>;
  const size_t smem = Cfg::smem_bytes(K);
  K4_CUDA_CHECK(cudaFuncSetAttribute(gemv, cudaFuncAttributeMaxDynamicSharedMemorySize, int(smem)));
  int ctas_per_sm = 0;
  K4_CUDA_CHECK(
      cudaOccupancyMaxActiveBlocksPerMultiprocessor(&ctas_per_sm, gemv, Cfg::kThreads, smem));
  const int grid = std::min(sms * std::max(ctas_per_sm, 1), N / Cfg::kRows);

  K4_CUDA_CHECK(cudaStreamWaitEvent(compute.get(), x_ready.get(), 0));
  gemv<<<grid, Cfg::kThreads, smem, compute.get()>>>(
      d_wq.get(), d_scale.get(), d_x.get(), d_y.get(), N, K,
      reinterpret_cast<int*>(d_counters.get()));
  K4_CUDA_CHECK(cudaGetLastError());

  std::vector<bf16> y(size_t(Cfg::kBatch) * N);
  std::vector<fp8> wq(size_t(N) * K);
  std::vector<float> scale(N);
  K4_CUDA_CHECK(cudaMemcpyAsync(y.data(), d_y.get(), y.size() * sizeof(bf16),
                                cudaMemcpyDeviceToHost, compute.get()));
  K4_CUDA_CHECK(cudaMemcpyAsync(wq.data(), d_wq.get(), wq.size() * sizeof(fp8),
                                cudaMemcpyDeviceToHost, compute.get()));
  K4_CUDA_CHECK(cudaMemcpyAsync(scale.data(), d_scale.get(), N * sizeof(float),
                                cudaMemcpyDeviceToHost, compute.get()));
  K4_CUDA_CHECK(cudaStreamSynchronize(compute.get()));

  double worst = 0.0;
  for (int n = 0; n < N; n += 997) {
    for (int b = 0; b < Cfg::kBatch; ++b) {
      double ref = 0.0;
      for (int k = 0; k < K; ++k)
        ref += double(float(wq[size_t(n) * K + k])) * __bfloat162float(h_x[size_t(b) * K + k]);
      ref *= scale[n];
      worst = std::max(worst, std::abs(ref - __bfloat162float(y[size_t(b) * N + n])));
    }
  }
  std::printf("fp8 gemv %dx%d batch %d on %d persistent CTAs: max abs err vs dequant ref %.3e\n",
              N, K, Cfg::kBatch, grid, worst);
  return 0;
}

// k4_serve_moe_routing.cu
//
// Router side of a MoE layer: top-k gating, per-expert token histogram, block_m-padded
// expert offsets for the grouped GEMM, and the permutation of hidden rows into expert
// order. With expert parallelism only ids in [expert_begin, expert_begin + E_local) are
// routed here; everything else is dropped at the histogram / permute stage.

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cg = cooperative_groups;

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

namespace serve {

enum class ScalarType : int8_t { Half, BFloat16, Float, Int32 };

struct Tensor {
  void* data = nullptr;
  ScalarType dtype = ScalarType::Half;
  int ndim = 0;
  int64_t shape[4] = {};
  int64_t size(int d) const { return shape[d]; }
  int64_t numel() const { int64_t n = 1; for (int d = 0; d < ndim; ++d) n *= shape[d]; return n; }
  template <typename T> T* data_ptr() const { return reinterpret_cast<T*>(data); }
};

#define SRV_DISPATCH_FLOAT_HALF_TYPES(TYPE, NAME, ...)                                         \
  [&] {                                                                                        \
    switch (TYPE) {                                                                            \
      case ::serve::ScalarType::Float: { using scalar_t = float; return __VA_ARGS__(); }       \
      case ::serve::ScalarType::Half: { using scalar_t = half; return __VA_ARGS__(); }         \
      case ::serve::ScalarType::BFloat16: { using scalar_t = __nv_bfloat16; return __VA_ARGS__(); } \
      default: SRV_CHECK(false, NAME, ": unsupported dtype ", int(TYPE));                      \
    }                                                                                          \
  }()

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(half v) { return __half2float(v); }
__device__ __forceinline__ float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

// ---------------------------------------------------------------------------
// gating: softmax over experts + top-k, one warp per token
// ---------------------------------------------------------------------------
// Lane owns experts lane, lane+32, ...: for each register slot the warp reads 32 adjacent
// logits, so the row is fetched with coalesced 32-wide accesses.
template <typename scalar_t, int NUM_EXPERTS, int TOPK, bool RENORM, int WARPS_PER_BLOCK>
__global__ void __launch_bounds__(WARPS_PER_BLOCK * 32)
moe_topk_gating_kernel(const scalar_t* __restrict__ gating_logits,  // [num_tokens, NUM_EXPERTS]
                       float* __restrict__ topk_weights,            // [num_tokens, TOPK]
                       int* __restrict__ topk_ids,                  // [num_tokens, TOPK]
                       int num_tokens) {
  constexpr int EPL = (NUM_EXPERTS + 31) / 32;
  static_assert(TOPK <= 32 && TOPK <= NUM_EXPERTS, "one pick per lane");

  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
  const int token = blockIdx.x * warp.meta_group_size() + warp.meta_group_rank();
  if (token >= num_tokens) return;
  const int lane = warp.thread_rank();
  const scalar_t* row = gating_logits + (int64_t)token * NUM_EXPERTS;

  // The row lives in registers from here on: softmax and every top-k pass reuse it.
  float p[EPL];
  float m = -INFINITY;
#pragma unroll
  for (int i = 0; i < EPL; ++i) {
    const int e = i * 32 + lane;
    p[i] = e < NUM_EXPERTS ? to_float(row[e]) : -INFINITY;
    m = fmaxf(m, p[i]);
  }
  m = cg::reduce(warp, m, cg::greater<float>());

  float s = 0.f;
#pragma unroll
  for (int i = 0; i < EPL; ++i) {
    p[i] = __expf(p[i] - m);  // exp(-inf) == 0 for the padding lanes
    s += p[i];
  }
  // Under renormalisation the softmax denominator cancels against the top-k sum, so the
  // full-row sum is only reduced when raw probabilities are returned.
  if constexpr (!RENORM) {
    const float inv = __fdividef(1.f, cg::reduce(warp, s, cg::plus<float>()));
#pragma unroll
    for (int i = 0; i < EPL; ++i) p[i] *= inv;
  }

  float picked_sum = 0.f, my_w = 0.f;
  int my_id = -1;
#pragma unroll
  for (int k = 0; k < TOPK; ++k) {
    float best = -1.f;
    int best_e = NUM_EXPERTS;
#pragma unroll
    for (int i = 0; i < EPL; ++i) {
      const int e = i * 32 + lane;
      if (e < NUM_EXPERTS && p[i] > best) { best = p[i]; best_e = e; }
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {  // argmax, ties resolve to the lower expert id
      const float ov = warp.shfl_xor(best, o);
      const int oe = warp.shfl_xor(best_e, o);
      if (ov > best || (ov == best && oe < best_e)) { best = ov; best_e = oe; }
    }
    if (lane == k) { my_w = best; my_id = best_e; }
    picked_sum += best;
#pragma unroll
    for (int i = 0; i < EPL; ++i)
      if (i * 32 + lane == best_e) p[i] = -1.f;  // retire the winner for the next pass
  }

  if (lane < TOPK) {
    topk_weights[(int64_t)token * TOPK + lane] = RENORM ? __fdividef(my_w, picked_sum) : my_w;
    topk_ids[(int64_t)token * TOPK + lane] = my_id;
  }
}

// ---------------------------------------------------------------------------
// per-expert histogram of the routed assignments
// ---------------------------------------------------------------------------
__global__ void moe_expert_histogram_kernel(const int* __restrict__ topk_ids,   // [num_assignments]
                                            int* __restrict__ expert_counts,    // [num_local_experts]
                                            int num_assignments, int num_local_experts, int expert_begin) {
  extern __shared__ int local_counts[];
  for (int e = threadIdx.x; e < num_local_experts; e += blockDim.x) local_counts[e] = 0;
  __syncthreads();

  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < num_assignments; i += gridDim.x * blockDim.x) {
    const int e = __ldg(&topk_ids[i]) - expert_begin;
    if ((unsigned)e < (unsigned)num_local_experts) atomicAdd(&local_counts[e], 1);
  }
  __syncthreads();

  for (int e = threadIdx.x; e < num_local_experts; e += blockDim.x)
    if (local_counts[e] != 0) atomicAdd(&expert_counts[e], local_counts[e]);
}

// ---------------------------------------------------------------------------
// padded exclusive offsets + tile -> expert map (single block)
// ---------------------------------------------------------------------------
// Each expert's segment is padded to a multiple of block_m so every grouped-GEMM tile
// belongs to exactly one expert. Thread e handles expert e.
template <int THREADS>
__global__ void __launch_bounds__(THREADS)
moe_expert_offsets_kernel(const int* __restrict__ expert_counts,  // [E]
                          int* __restrict__ expert_offsets,       // [E + 1]
                          int* __restrict__ write_cursors,        // [E]
                          int* __restrict__ tile_expert,          // [max_tiles]
                          int num_local_experts, int block_m) {
  constexpr int NUM_WARPS = THREADS / 32;
  __shared__ int warp_totals[NUM_WARPS];
  const int e = threadIdx.x;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int count = e < num_local_experts ? expert_counts[e] : 0;
  const int padded = (count + block_m - 1) / block_m * block_m;

  int incl = padded;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const int up = __shfl_up_sync(0xffffffffu, incl, o);
    if (lane >= o) incl += up;
  }
  if (lane == 31) warp_totals[warp] = incl;
  __syncthreads();

  if (warp == 0) {
    int t = lane < NUM_WARPS ? warp_totals[lane] : 0;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      const int up = __shfl_up_sync(0xffffffffu, t, o);
      if (lane >= o) t += up;
    }
    if (lane < NUM_WARPS) warp_totals[lane] = t;
  }
  __syncthreads();

  const int excl = incl - padded + (warp > 0 ? warp_totals[warp - 1] : 0);
  if (e < num_local_experts) {
    expert_offsets[e] = excl;
    write_cursors[e] = excl;
    for (int t = excl / block_m; t < (excl + padded) / block_m; ++t) tile_expert[t] = e;
  }
  if (e == num_local_experts - 1) expert_offsets[num_local_experts] = excl + padded;
}

// ---------------------------------------------------------------------------
// scatter hidden rows into expert-sorted order
// ---------------------------------------------------------------------------
// One block per (token, k) assignment. Thread 0 claims the destination row from the
// expert's write cursor, then the block moves the row in 16-byte pieces. Each source row
// is read by TOPK different blocks, hence the read-only path.
template <typename scalar_t>
__global__ void moe_permute_rows_kernel(const scalar_t* __restrict__ hidden,  // [num_tokens, H]
                                        const int* __restrict__ topk_ids,     // [num_tokens * topk]
                                        int* __restrict__ write_cursors,      // [E]
                                        scalar_t* __restrict__ permuted,      // [padded_total, H]
                                        int* __restrict__ sorted_token_ids,   // [padded_total]
                                        int* __restrict__ dst_row_of,         // [num_tokens * topk]
                                        int topk, int hidden_size, int expert_begin, int num_local_experts) {
  __shared__ int dst_row;
  const int assignment = blockIdx.x;
  const int token = assignment / topk;
  if (threadIdx.x == 0) {
    const int e = topk_ids[assignment] - expert_begin;
    int dst = -1;
    if ((unsigned)e < (unsigned)num_local_experts) {
      dst = atomicAdd(&write_cursors[e], 1);
      sorted_token_ids[dst] = assignment;
    }
    dst_row_of[assignment] = dst;
    dst_row = dst;
  }
  __syncthreads();
  if (dst_row < 0) return;

  const int n_vec = hidden_size * (int)sizeof(scalar_t) / 16;
  const uint4* src = reinterpret_cast<const uint4*>(hidden + (int64_t)token * hidden_size);
  uint4* dst = reinterpret_cast<uint4*>(permuted + (int64_t)dst_row * hidden_size);
  for (int i = threadIdx.x; i < n_vec; i += blockDim.x) dst[i] = __ldg(&src[i]);
}

// ---------------------------------------------------------------------------
// ops layer
// ---------------------------------------------------------------------------
struct MoERoutingBuffers {
  Tensor topk_weights, topk_ids;   // [T, K] fp32 / int32
  Tensor expert_counts;            // [E] int32
  Tensor expert_offsets;           // [E + 1] int32
  Tensor write_cursors;            // [E] int32
  Tensor tile_expert;              // [max_tiles] int32
  Tensor sorted_token_ids;         // [max_padded] int32
  Tensor dst_row_of;               // [T * K] int32
  Tensor permuted_hidden;          // [max_padded, H]
  int* host_offsets = nullptr;     // pinned, E + 1
  cudaStream_t copy_stream = nullptr;
  cudaEvent_t counts_ready = nullptr, offsets_on_host = nullptr;
};

namespace {

constexpr int kGatingWarps = 4;
constexpr int kHistThreads = 256;

template <typename scalar_t, int E, int K>
void launch_gating(const Tensor& logits, MoERoutingBuffers& b, bool renorm, int num_tokens, cudaStream_t stream) {
  const int blocks = (num_tokens + kGatingWarps - 1) / kGatingWarps;
  auto kernel = renorm ? moe_topk_gating_kernel<scalar_t, E, K, true, kGatingWarps>
                       : moe_topk_gating_kernel<scalar_t, E, K, false, kGatingWarps>;
  kernel<<<blocks, kGatingWarps * 32, 0, stream>>>(logits.data_ptr<scalar_t>(), b.topk_weights.data_ptr<float>(),
                                                   b.topk_ids.data_ptr<int>(), num_tokens);
}

}  // namespace

// Leaves b.offsets_on_host pending: the caller waits on it before sizing the grouped GEMM.
void moe_route_and_permute(const Tensor& hidden, const Tensor& gating_logits, int topk, bool renormalize,
                           int expert_begin, int num_local_experts, int block_m, MoERoutingBuffers& b,
                           cudaStream_t stream) {
  const int num_tokens = (int)hidden.size(0), hidden_size = (int)hidden.size(1);
  const int num_experts = (int)gating_logits.size(1);
  const int num_assignments = num_tokens * topk;
  SRV_CHECK(hidden.dtype != ScalarType::Float, "hidden states are expected in fp16/bf16");
  SRV_CHECK(hidden_size * 2 % 16 == 0, "hidden_size must allow 16-byte row copies");
  SRV_CHECK(num_local_experts <= 1024, "offsets kernel handles at most 1024 local experts");
  if (num_tokens == 0) return;

  SRV_CUDA_CHECK(cudaMemsetAsync(b.expert_counts.data, 0, num_local_experts * sizeof(int), stream));
  SRV_CUDA_CHECK(cudaMemsetAsync(b.sorted_token_ids.data, 0xFF, b.sorted_token_ids.numel() * sizeof(int), stream));

#define K4_GATING_CASE(E, K) \
  if (num_experts == E && topk == K) return launch_gating<scalar_t, E, K>(gating_logits, b, renormalize, num_tokens, stream);
  SRV_DISPATCH_FLOAT_HALF_TYPES(gating_logits.dtype, "moe_topk_gating", [&] {
    K4_GATING_CASE(8, 2)      // Mixtral
    K4_GATING_CASE(64, 6)     // DeepSeek-V2-Lite
    K4_GATING_CASE(128, 8)    // Qwen3-MoE
    K4_GATING_CASE(256, 8)
    SRV_CHECK(false, "no gating instance for experts=", num_experts, " topk=", topk);
  });
#undef K4_GATING_CASE
  SRV_CUDA_CHECK(cudaGetLastError());

  // Histogram: fill the machine once and let each block stride over the assignments.
  int dev = 0, sms = 0, per_sm = 0;
  const size_t hist_smem = num_local_experts * sizeof(int);
  SRV_CUDA_CHECK(cudaGetDevice(&dev));
  SRV_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  SRV_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, moe_expert_histogram_kernel,
                                                               kHistThreads, hist_smem));
  const int hist_blocks = std::max(1, std::min(sms * per_sm, (num_assignments + kHistThreads - 1) / kHistThreads));
  moe_expert_histogram_kernel<<<hist_blocks, kHistThreads, hist_smem, stream>>>(
      b.topk_ids.data_ptr<int>(), b.expert_counts.data_ptr<int>(), num_assignments, num_local_experts, expert_begin);
  SRV_CUDA_CHECK(cudaGetLastError());

  auto offsets_args = [&](auto kernel, int threads) {
    kernel<<<1, threads, 0, stream>>>(b.expert_counts.data_ptr<int>(), b.expert_offsets.data_ptr<int>(),
                                      b.write_cursors.data_ptr<int>(), b.tile_expert.data_ptr<int>(),
                                      num_local_experts, block_m);
  };
  if (num_local_experts <= 256) offsets_args(moe_expert_offsets_kernel<256>, 256);
  else offsets_args(moe_expert_offsets_kernel<1024>, 1024);
  SRV_CUDA_CHECK(cudaGetLastError());

  // The host needs the padded offsets to size the grouped GEMM. Pull them back on the copy
  // stream while the permutation runs on the compute stream.
  SRV_CUDA_CHECK(cudaEventRecord(b.counts_ready, stream));
  SRV_CUDA_CHECK(cudaStreamWaitEvent(b.copy_stream, b.counts_ready, 0));
  SRV_CUDA_CHECK(cudaMemcpyAsync(b.host_offsets, b.expert_offsets.data, (num_local_experts + 1) * sizeof(int),
                                 cudaMemcpyDeviceToHost, b.copy_stream));
  SRV_CUDA_CHECK(cudaEventRecord(b.offsets_on_host, b.copy_stream));

  SRV_DISPATCH_FLOAT_HALF_TYPES(hidden.dtype, "moe_permute_rows", [&] {
    moe_permute_rows_kernel<scalar_t><<<num_assignments, 128, 0, stream>>>(
        hidden.data_ptr<scalar_t>(), b.topk_ids.data_ptr<int>(), b.write_cursors.data_ptr<int>(),
        b.permuted_hidden.data_ptr<scalar_t>(), b.sorted_token_ids.data_ptr<int>(), b.dst_row_of.data_ptr<int>(),
        topk, hidden_size, expert_begin, num_local_experts);
  });
  SRV_CUDA_CHECK(cudaGetLastError());
}

}  // namespace serve

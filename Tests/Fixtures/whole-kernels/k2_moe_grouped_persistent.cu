// MoE expert path: route counts, scatter tokens to expert-contiguous rows, then one
// grouped GEMM over all experts driven by a global tile queue.
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cooperative_groups.h>
#include <algorithm>
#include <numeric>
#include <vector>
#include <cstdint>

namespace cg = cooperative_groups;

struct GroupedProblem {
  int M, N, K;
  const __nv_bfloat16* A;  // [M, K]
  const __nv_bfloat16* B;  // [K, N]
  __nv_bfloat16* C;        // [M, N]
};

namespace moe {

constexpr int kTM = 64, kTN = 64, kTK = 16, kThreads = 256;

// Persistent CTAs pull 64x64 output tiles from a global counter until the queue
// (tiles of all problems, in host-given order) is exhausted.
__global__ void __launch_bounds__(kThreads)
grouped_gemm_tile_queue(const GroupedProblem* __restrict__ problems, const int* __restrict__ tile_prefix,
                        int num_problems, int* __restrict__ next_tile) {
  cg::thread_block cta = cg::this_thread_block();
  __shared__ float As[kTK][kTM];
  __shared__ float Bs[kTK][kTN];
  __shared__ int s_tile;

  const int tid = cta.thread_rank();
  const int ty = tid / 16, tx = tid % 16;
  const int total_tiles = tile_prefix[num_problems];

  for (;;) {
    if (tid == 0) s_tile = atomicAdd(next_tile, 1);
    cta.sync();
    const int tile = s_tile;
    if (tile >= total_tiles) break;

    int p = 0;
    while (tile_prefix[p + 1] <= tile) ++p;
    const GroupedProblem pr = problems[p];
    const int local = tile - tile_prefix[p];
    const int tiles_n = (pr.N + kTN - 1) / kTN;
    const int m0 = (local / tiles_n) * kTM, n0 = (local % tiles_n) * kTN;

    float acc[4][4] = {};
    for (int k0 = 0; k0 < pr.K; k0 += kTK) {
      {  // A: 64 rows x 16 k, 4 per thread;  B: 16 k x 64 cols, 4 per thread
        const int ar = tid / 4, ak = (tid % 4) * 4;
        const int bk = tid / 16, bn = (tid % 16) * 4;
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int gm = m0 + ar, gk = k0 + ak + e;
          As[ak + e][ar] = (gm < pr.M && gk < pr.K) ? __bfloat162float(pr.A[(size_t)gm * pr.K + gk]) : 0.f;
          const int gkb = k0 + bk, gn = n0 + bn + e;
          Bs[bk][bn + e] = (gkb < pr.K && gn < pr.N) ? __bfloat162float(pr.B[(size_t)gkb * pr.N + gn]) : 0.f;
        }
      }
      cta.sync();
#pragma unroll
      for (int kk = 0; kk < kTK; ++kk) {
        float a[4], b[4];
#pragma unroll
        for (int i = 0; i < 4; ++i) a[i] = As[kk][ty * 4 + i];
#pragma unroll
        for (int j = 0; j < 4; ++j) b[j] = Bs[kk][tx * 4 + j];
#pragma unroll
        for (int i = 0; i < 4; ++i)
#pragma unroll
          for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
      }
      cta.sync();
    }

#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int gm = m0 + ty * 4 + i;
      if (gm >= pr.M) continue;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int gn = n0 + tx * 4 + j;
        if (gn < pr.N) pr.C[(size_t)gm * pr.N + gn] = __float2bfloat16(acc[i][j]);
      }
    }
    // s_tile is overwritten at the top of the next iteration (the k-loop ended in a barrier)
  }
}

// tokens routed to each expert; block-private counters, flushed once per block
__global__ void moe_count_experts(const int* __restrict__ topk_ids, int n_assign, int num_experts,
                                  int* __restrict__ expert_counts) {
  extern __shared__ int s_count[];
  for (int e = threadIdx.x; e < num_experts; e += blockDim.x) s_count[e] = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n_assign; i += gridDim.x * blockDim.x)
    atomicAdd(&s_count[topk_ids[i]], 1);
  __syncthreads();
  for (int e = threadIdx.x; e < num_experts; e += blockDim.x)
    if (s_count[e]) atomicAdd(&expert_counts[e], s_count[e]);
}

// One warp copies one routed token row (hidden/8 x 16B packets) to its expert slot.
// Written as a warp-stride loop, but the launch gives one warp per assignment.
__global__ void moe_scatter_rows(const __nv_bfloat16* __restrict__ x, const int* __restrict__ topk_ids,
                                 const int* __restrict__ expert_offsets, int* __restrict__ expert_cursor,
                                 int n_assign, int top_k, int hidden, __nv_bfloat16* __restrict__ x_sorted,
                                 int* __restrict__ src_of_row) {
  const int lane = threadIdx.x & 31;
  const int warps_total = (gridDim.x * blockDim.x) >> 5;
  for (int a = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; a < n_assign; a += warps_total) {
    const int e = topk_ids[a];
    int slot = 0;
    if (lane == 0) slot = atomicAdd(&expert_cursor[e], 1);
    slot = __shfl_sync(0xffffffffu, slot, 0);
    const int dst_row = expert_offsets[e] + slot;
    const int token = a / top_k;
    if (lane == 0) src_of_row[dst_row] = a;

    const uint4* src = reinterpret_cast<const uint4*>(x + (size_t)token * hidden);
    uint4* dst = reinterpret_cast<uint4*>(x_sorted + (size_t)dst_row * hidden);
    for (int v = lane; v < hidden / 8; v += 32) dst[v] = src[v];
  }
}

}  // namespace moe

void moe_expert_forward(std::vector<GroupedProblem> probs, GroupedProblem* d_probs, int* d_tile_prefix,
                        int* d_tile_counter, cudaStream_t s) {
  // Biggest GEMMs first: the queue hands them out before the small ones, so the
  // last CTAs to finish are working on short tiles lists, not a big straggler.
  std::sort(probs.begin(), probs.end(), [](const GroupedProblem& a, const GroupedProblem& b) {
    return (int64_t)a.M * a.N * a.K > (int64_t)b.M * b.N * b.K;
  });
  std::vector<int> prefix(probs.size() + 1, 0);
  for (size_t i = 0; i < probs.size(); ++i) {
    const int tiles = ((probs[i].M + moe::kTM - 1) / moe::kTM) * ((probs[i].N + moe::kTN - 1) / moe::kTN);
    prefix[i + 1] = prefix[i] + tiles;
  }
  cudaMemcpyAsync(d_probs, probs.data(), probs.size() * sizeof(GroupedProblem), cudaMemcpyHostToDevice, s);
  cudaMemcpyAsync(d_tile_prefix, prefix.data(), prefix.size() * sizeof(int), cudaMemcpyHostToDevice, s);
  cudaMemsetAsync(d_tile_counter, 0, sizeof(int), s);

  int dev = 0, sms = 0, per_sm = 0;
  cudaGetDevice(&dev);
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, moe::grouped_gemm_tile_queue, moe::kThreads, 0);
  const int grid = sms * std::max(per_sm, 1);  // fill the machine once; CTAs loop on the queue
  moe::grouped_gemm_tile_queue<<<grid, moe::kThreads, 0, s>>>(d_probs, d_tile_prefix, (int)probs.size(),
                                                              d_tile_counter);
  cudaStreamSynchronize(s);  // host-side vector storage goes out of scope
}

void moe_route(const __nv_bfloat16* x, const int* d_topk_ids, int n_tokens, int top_k, int hidden,
               int num_experts, int* d_counts, int* d_offsets, int* d_cursor, __nv_bfloat16* x_sorted,
               int* d_src_of_row, cudaStream_t s) {
  const int n_assign = n_tokens * top_k;
  cudaMemsetAsync(d_counts, 0, num_experts * sizeof(int), s);
  const int cblocks = std::min((n_assign + 255) / 256, 1024);
  moe::moe_count_experts<<<std::max(cblocks, 1), 256, num_experts * sizeof(int), s>>>(d_topk_ids, n_assign,
                                                                                       num_experts, d_counts);
  std::vector<int> counts(num_experts), offsets(num_experts);
  cudaMemcpyAsync(counts.data(), d_counts, num_experts * sizeof(int), cudaMemcpyDeviceToHost, s);
  cudaStreamSynchronize(s);
  std::exclusive_scan(counts.begin(), counts.end(), offsets.begin(), 0);
  cudaMemcpyAsync(d_offsets, offsets.data(), num_experts * sizeof(int), cudaMemcpyHostToDevice, s);
  cudaMemsetAsync(d_cursor, 0, num_experts * sizeof(int), s);

  const int warps_per_block = 8;
  const int sblocks = (n_assign + warps_per_block - 1) / warps_per_block;  // one warp per assignment
  moe::moe_scatter_rows<<<sblocks, warps_per_block * 32, 0, s>>>(x, d_topk_ids, d_offsets, d_cursor, n_assign,
                                                                 top_k, hidden, x_sorted, d_src_of_row);
  cudaStreamSynchronize(s);
}

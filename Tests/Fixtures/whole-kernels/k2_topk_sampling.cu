// Top-k sampling for LLM decoding.
//   1) apply_repetition_penalty : edits logits in place for previously generated tokens
//   2) bitonic_topk_chunks      : per (row, chunk) bitonic sort in shared memory, keep top-k
//                                 (run twice: vocab chunks -> candidates -> final top-k)
//   3) topk_softmax_sample      : softmax over the k survivors and inverse-CDF sampling
#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cooperative_groups/scan.h>
#include <cfloat>
#include <cstdio>

namespace cg = cooperative_groups;

// ---------------------------------------------------------------------------
// One warp per sequence. `history` rows are de-duplicated by the caller, so the
// plain read-modify-write below never sees two lanes on the same logit.
__global__ void apply_repetition_penalty(float* logits, const int* __restrict__ history,
                                         const int* __restrict__ hist_len, const float* __restrict__ penalty,
                                         int n_rows, int vocab, int max_hist) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (row >= n_rows) return;

  float pen = 1.f;
  int len = 0;
  if (lane == 0) { pen = penalty[row]; len = hist_len[row]; }
  // lane 0 fetched the per-row scalars; hand them to the rest of the warp
  pen = __shfl_sync(0xffffffffu, pen, 0);
  len = __shfl_sync(0xffffffffu, len, 0);

  float* lrow = logits + (size_t)row * vocab;
  for (int h = lane; h < len; h += 32) {
    const int tok = history[(size_t)row * max_hist + h];
    const float x = lrow[tok];
    lrow[tok] = x > 0.f ? x / pen : x * pen;
  }
}

// ---------------------------------------------------------------------------
// Sorts n_pad (power of two) keys of one (row, chunk) in shared memory and
// writes the best k. Shared layout: float key[n_pad] | int idx[n_pad].
template <bool kLargest>
__global__ void bitonic_topk_chunks(const float* __restrict__ in_vals, const int* __restrict__ in_idx,
                                    int row_len, int chunk_len, int n_pad, int k,
                                    float* __restrict__ out_vals, int* __restrict__ out_idx) {
  extern __shared__ float smem_keys[];
  int* smem_idx = reinterpret_cast<int*>(smem_keys + n_pad);

  const int chunks_per_row = (row_len + chunk_len - 1) / chunk_len;
  const int row = blockIdx.x / chunks_per_row;
  const int chunk = blockIdx.x % chunks_per_row;
  const int begin = chunk * chunk_len;
  const int valid = min(chunk_len, row_len - begin);
  const float pad = kLargest ? -FLT_MAX : FLT_MAX;

  const float* src = in_vals + (size_t)row * row_len + begin;
  for (int i = threadIdx.x; i < n_pad; i += blockDim.x) {
    if (i < valid) {
      smem_keys[i] = src[i];
      smem_idx[i] = in_idx ? in_idx[(size_t)row * row_len + begin + i] : begin + i;
    } else {
      smem_keys[i] = pad;
      smem_idx[i] = -1;
    }
  }
  __syncthreads();

  // classic bitonic network; final order is "best first"
  for (int size = 2; size <= n_pad; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int i = threadIdx.x; i < n_pad; i += blockDim.x) {
        const int j = i ^ stride;
        if (j > i) {
          const bool best_first = ((i & size) == 0);
          const float a = smem_keys[i], b = smem_keys[j];
          const bool a_better = kLargest ? (a > b) : (a < b);
          if (a_better != best_first) {
            smem_keys[i] = b; smem_keys[j] = a;
            const int t = smem_idx[i]; smem_idx[i] = smem_idx[j]; smem_idx[j] = t;
          }
        }
      }
      __syncthreads();
    }
  }

  const size_t out_base = ((size_t)row * chunks_per_row + chunk) * k;
  for (int i = threadIdx.x; i < k; i += blockDim.x) {
    out_vals[out_base + i] = smem_keys[i];
    out_idx[out_base + i] = smem_idx[i];
  }
}

// ---------------------------------------------------------------------------
// One 32-thread tile per row; k <= 64 sorted survivors, two per lane.
__global__ void topk_softmax_sample(const float* __restrict__ vals, const int* __restrict__ idx,
                                    int n_rows, int k, float inv_temperature,
                                    const float* __restrict__ uniforms, int* __restrict__ next_token) {
  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
  const int row = blockIdx.x * tile.meta_group_size() + tile.meta_group_rank();
  if (row >= n_rows) return;
  const int lane = tile.thread_rank();

  const float* v = vals + (size_t)row * k;
  const float x0 = lane < k ? v[lane] * inv_temperature : -FLT_MAX;
  const float x1 = lane + 32 < k ? v[lane + 32] * inv_temperature : -FLT_MAX;

  const float mx = cg::reduce(tile, fmaxf(x0, x1), cg::greater<float>());
  const float p0 = lane < k ? __expf(x0 - mx) : 0.f;
  const float p1 = lane + 32 < k ? __expf(x1 - mx) : 0.f;
  const float total = cg::reduce(tile, p0 + p1, cg::plus<float>());

  // inverse CDF over positions 0..k-1 (lane order, then lane+32 order)
  const float c0 = cg::inclusive_scan(tile, p0, cg::plus<float>());
  const float first_half = tile.shfl(c0, 31);
  const float c1 = first_half + cg::inclusive_scan(tile, p1, cg::plus<float>());
  const float target = uniforms[row] * total;

  int pos;
  const unsigned m0 = tile.ballot(c0 >= target && lane < k);
  if (m0) {
    pos = __ffs(m0) - 1;
  } else {
    const unsigned m1 = tile.ballot(c1 >= target && lane + 32 < k);
    pos = m1 ? 32 + __ffs(m1) - 1 : k - 1;
  }
  if (lane == 0) next_token[row] = idx[(size_t)row * k + pos];
}

// ---------------------------------------------------------------------------
int sample_topk(float* d_logits, const int* d_hist, const int* d_hist_len, const float* d_pen,
                int n_rows, int vocab, int max_hist, int k, float temperature,
                const float* d_uniform, float* d_cand_v, int* d_cand_i, float* d_top_v, int* d_top_i,
                int* d_next, cudaStream_t stream) {
  if (k > 64) return -1;
  apply_repetition_penalty<<<(n_rows + 7) / 8, 256, 0, stream>>>(d_logits, d_hist, d_hist_len, d_pen,
                                                                 n_rows, vocab, max_hist);

  constexpr int kChunk = 8192;                         // -> 64 KiB of keys+indices
  const size_t smem1 = (size_t)kChunk * (sizeof(float) + sizeof(int));
  cudaFuncSetAttribute(bitonic_topk_chunks<true>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem1);
  const int chunks = (vocab + kChunk - 1) / kChunk;
  bitonic_topk_chunks<true><<<n_rows * chunks, 512, smem1, stream>>>(
      d_logits, nullptr, vocab, kChunk, kChunk, k, d_cand_v, d_cand_i);

  int n_cand = chunks * k, n_pad = 1;
  while (n_pad < n_cand) n_pad <<= 1;
  const size_t smem2 = (size_t)n_pad * (sizeof(float) + sizeof(int));
  bitonic_topk_chunks<true><<<n_rows, 256, smem2, stream>>>(d_cand_v, d_cand_i, n_cand, n_cand, n_pad, k,
                                                            d_top_v, d_top_i);

  topk_softmax_sample<<<(n_rows + 3) / 4, 128, 0, stream>>>(d_top_v, d_top_i, n_rows, k, 1.f / temperature,
                                                            d_uniform, d_next);
  return 0;
}

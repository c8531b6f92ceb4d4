// CUB-based block primitives: token histogram, global L2 norm, per-segment max.
#include <cub/cub.cuh>
#include <cuda_runtime.h>
#include <cstdio>
#include <cfloat>

#define CUDA_CHECK(expr)                                                        \
  do {                                                                          \
    cudaError_t err__ = (expr);                                                 \
    if (err__ != cudaSuccess) {                                                 \
      std::fprintf(stderr, "%s:%d %s\n", __FILE__, __LINE__,                    \
                   cudaGetErrorString(err__));                                  \
    }                                                                           \
  } while (0)

//------------------------------------------------------------------------------
// 1) histogram of token ids into NUM_BINS buckets
//------------------------------------------------------------------------------
template <int BLOCK_THREADS, int ITEMS_PER_THREAD, int NUM_BINS>
__global__ void __launch_bounds__(BLOCK_THREADS)
BlockHistogramKernel(const int* __restrict__ d_tokens, int num_items,
                     unsigned int* __restrict__ d_hist) {
  // direct blocked load: each thread reads ITEMS_PER_THREAD consecutive ids
  using BlockLoadT = cub::BlockLoad<int, BLOCK_THREADS, ITEMS_PER_THREAD, cub::BLOCK_LOAD_DIRECT>;
  constexpr int TILE_ITEMS = BLOCK_THREADS * ITEMS_PER_THREAD;

  __shared__ unsigned int s_bins[NUM_BINS];
  for (int b = threadIdx.x; b < NUM_BINS; b += BLOCK_THREADS) s_bins[b] = 0u;
  __syncthreads();

  for (int tile_base = blockIdx.x * TILE_ITEMS; tile_base < num_items;
       tile_base += gridDim.x * TILE_ITEMS) {
    int ids[ITEMS_PER_THREAD];
    const int valid = min(TILE_ITEMS, num_items - tile_base);
    BlockLoadT().Load(d_tokens + tile_base, ids, valid, -1);
#pragma unroll
    for (int k = 0; k < ITEMS_PER_THREAD; ++k) {
      if (ids[k] >= 0) atomicAdd(&s_bins[ids[k] % NUM_BINS], 1u);
    }
  }
  __syncthreads();

  // one global update per non-empty bin per block
  for (int b = threadIdx.x; b < NUM_BINS; b += BLOCK_THREADS) {
    const unsigned int c = s_bins[b];
    if (c) atomicAdd(&d_hist[b], c);
  }
}

//------------------------------------------------------------------------------
// 2) ||x||_2 over the whole vector, bitwise reproducible run to run:
//    every block writes one partial; the block that retires last reduces the
//    partials in index order. Only an integer ticket counter is atomic.
//------------------------------------------------------------------------------
__device__ unsigned int g_retired_blocks = 0;

template <int BLOCK_THREADS>
__global__ void __launch_bounds__(BLOCK_THREADS)
GlobalNormLastBlockKernel(const float* __restrict__ x, size_t n,
                          float* __restrict__ block_partials, float* __restrict__ out_norm) {
  using BlockReduceT = cub::BlockReduce<float, BLOCK_THREADS>;
  __shared__ typename BlockReduceT::TempStorage temp;
  __shared__ bool am_last;

  float acc = 0.f;
  for (size_t i = (size_t)blockIdx.x * BLOCK_THREADS + threadIdx.x; i < n;
       i += (size_t)gridDim.x * BLOCK_THREADS) {
    const float v = x[i];
    acc = fmaf(v, v, acc);
  }
  const float block_sum = BlockReduceT(temp).Sum(acc);

  if (threadIdx.x == 0) {
    block_partials[blockIdx.x] = block_sum;
    __threadfence();  // make the partial visible before taking a ticket
    const unsigned int ticket = atomicInc(&g_retired_blocks, gridDim.x - 1);
    am_last = (ticket == gridDim.x - 1);
  }
  __syncthreads();
  if (!am_last) return;

  // last block: fixed-order second stage (no float atomics anywhere)
  float p = 0.f;
  for (int i = threadIdx.x; i < (int)gridDim.x; i += BLOCK_THREADS) {
    p += ((volatile float*)block_partials)[i];
  }
  __syncthreads();  // temp storage is reused
  const float total = BlockReduceT(temp).Sum(p);
  if (threadIdx.x == 0) {
    *out_norm = sqrtf(total);
    // the last ticket (gridDim.x - 1) made atomicInc wrap the counter back to 0
  }
}

//------------------------------------------------------------------------------
// 3) max over each contiguous segment, one 32-lane warp per segment
//------------------------------------------------------------------------------
template <int WARPS_PER_BLOCK>
__global__ void SegmentMaxWarpKernel(const float* __restrict__ vals, const int* __restrict__ seg_offsets,
                                     int num_segments, float* __restrict__ seg_max) {
  using WarpReduceT = cub::WarpReduce<float>;
  // scratch for the warp-level reduction only; input values never go through it
  __shared__ typename WarpReduceT::TempStorage warp_temp[WARPS_PER_BLOCK];

  const int warp_id = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int seg = blockIdx.x * WARPS_PER_BLOCK + warp_id;
  if (seg >= num_segments) return;

  const int begin = seg_offsets[seg];
  const int end = seg_offsets[seg + 1];
  float m = -FLT_MAX;
  for (int i = begin + lane; i < end; i += 32) {
    // streaming read: values are touched once
    m = fmaxf(m, cub::ThreadLoad<cub::LOAD_CS>(vals + i));
  }
  const float seg_m = WarpReduceT(warp_temp[warp_id]).Reduce(m, cub::Max());
  if (lane == 0) seg_max[seg] = (end > begin) ? seg_m : -FLT_MAX;
}

//------------------------------------------------------------------------------
void run_stats(const int* d_tokens, int num_tokens, unsigned int* d_hist,
               const float* d_x, size_t n, float* d_partials, float* d_norm,
               const float* d_vals, const int* d_offsets, int num_segments, float* d_seg_max,
               cudaStream_t stream) {
  constexpr int kHistThreads = 256, kItems = 8, kBins = 1024;
  CUDA_CHECK(cudaMemsetAsync(d_hist, 0, kBins * sizeof(unsigned int), stream));
  const int tiles = (num_tokens + kHistThreads * kItems - 1) / (kHistThreads * kItems);
  const int hist_grid = tiles < 1 ? 1 : tiles;
  BlockHistogramKernel<kHistThreads, kItems, kBins><<<hist_grid, kHistThreads, 0, stream>>>(
      d_tokens, num_tokens, d_hist);

  constexpr int kNormThreads = 512;
  const int norm_grid = (int)((n + kNormThreads - 1) / kNormThreads) < 1024
                            ? (int)((n + kNormThreads - 1) / kNormThreads) : 1024;
  GlobalNormLastBlockKernel<kNormThreads><<<norm_grid, kNormThreads, 0, stream>>>(
      d_x, n, d_partials, d_norm);

  constexpr int kWarps = 8;
  SegmentMaxWarpKernel<kWarps><<<(num_segments + kWarps - 1) / kWarps, kWarps * 32, 0, stream>>>(
      d_vals, d_offsets, num_segments, d_seg_max);
  CUDA_CHECK(cudaGetLastError());
}

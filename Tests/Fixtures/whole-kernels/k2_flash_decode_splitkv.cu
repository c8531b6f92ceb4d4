// Split-KV flash decoding (one query token per sequence, paged-free KV cache).
//   q       : [B, H, D]             fp16
//   k/v     : [B, Hkv, Smax, D]     fp16
//   out     : [B, H, D]             fp16
// Pass 1 (flash_decode_split_kv) produces a normalised partial output and its
// log-sum-exp per KV split; pass 2 (flash_decode_combine) merges the splits.

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <math_constants.h>
#include <cstdint>

namespace fdec {

constexpr unsigned kFull = 0xffffffffu;

// One block per (split, batch, kv-head). GQA packing: the kGroup query heads that
// share a kv head each get one warp, so every K/V row staged in shared memory is
// consumed by kGroup warps.
template <int kHeadDim, int kBlockN, int kGroup>
__global__ void __launch_bounds__(kGroup * 32)
flash_decode_split_kv(const half* __restrict__ q, const half* __restrict__ k_cache,
                      const half* __restrict__ v_cache, const int* __restrict__ seqlens_k,
                      float* __restrict__ o_accum, float* __restrict__ lse_accum,
                      int num_kv_heads, int max_seqlen, int keys_per_split, float softmax_scale) {
  static_assert(kHeadDim == 128, "lane layout assumes 4 dims per lane");
  constexpr int kDimsPerLane = kHeadDim / 32;
  constexpr int kThreads = kGroup * 32;
  constexpr int kChunksPerThread = kBlockN * kHeadDim / 8 / kThreads;  // 16B chunks

  __shared__ __align__(16) half sK[kBlockN][kHeadDim];
  __shared__ __align__(16) half sV[kBlockN][kHeadDim];

  const int split = blockIdx.x;
  const int b = blockIdx.y / num_kv_heads, kvh = blockIdx.y % num_kv_heads;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int num_heads = num_kv_heads * kGroup;
  const int bh = b * num_heads + kvh * kGroup + warp;  // this warp's query head

  const int seqlen = __ldg(seqlens_k + b);
  const int n_begin = split * keys_per_split;
  const int n_end = min(seqlen, n_begin + keys_per_split);
  const size_t num_bh = (size_t)gridDim.y * kGroup;
  float* o_out = o_accum + ((size_t)split * num_bh + bh) * kHeadDim + lane * kDimsPerLane;
  float* lse_out = lse_accum + (size_t)split * num_bh + bh;

  // Short sequences in the batch leave trailing splits with no keys at all.
  if (n_begin >= seqlen) {
#pragma unroll
    for (int i = 0; i < kDimsPerLane; ++i) o_out[i] = 0.f;
    if (lane == 0) *lse_out = -CUDART_INF_F;
    return;
  }

  // The query row is read once and kept in registers (2 x half2 per lane) for
  // the whole split; every key of every tile is dotted against these.
  const uint2 q_raw = *reinterpret_cast<const uint2*>(q + (size_t)bh * kHeadDim + lane * kDimsPerLane);
  const half2 q01 = *reinterpret_cast<const half2*>(&q_raw.x);
  const half2 q23 = *reinterpret_cast<const half2*>(&q_raw.y);

  const size_t kv_off = ((size_t)b * num_kv_heads + kvh) * (size_t)max_seqlen * kHeadDim;
  const half* k_base = k_cache + kv_off;
  const half* v_base = v_cache + kv_off;

  float m_run = -CUDART_INF_F, l_run = 0.f;
  float acc[kDimsPerLane] = {0.f, 0.f, 0.f, 0.f};

  for (int n0 = n_begin; n0 < n_end; n0 += kBlockN) {
    // K/V tile -> smem. Thread t copies 16B chunk t (+kThreads, ...): consecutive
    // threads take consecutive 16B pieces of the same key row, so each warp reads
    // 512 contiguous bytes (coalesced).
#pragma unroll
    for (int i = 0; i < kChunksPerThread; ++i) {
      const int c = threadIdx.x + i * kThreads;
      const int row = c / (kHeadDim / 8);
      const int col = (c % (kHeadDim / 8)) * 8;
      if (n0 + row < n_end) {
        const size_t g = (size_t)(n0 + row) * kHeadDim + col;
        *reinterpret_cast<uint4*>(&sK[row][col]) = *reinterpret_cast<const uint4*>(k_base + g);
        *reinterpret_cast<uint4*>(&sV[row][col]) = *reinterpret_cast<const uint4*>(v_base + g);
      }
    }
    __syncthreads();

    const int n_valid = min(kBlockN, n_end - n0);
    for (int j = 0; j < n_valid; ++j) {
      const uint2 k_raw = *reinterpret_cast<const uint2*>(&sK[j][lane * kDimsPerLane]);
      const float2 p01 = __half22float2(__hmul2(q01, *reinterpret_cast<const half2*>(&k_raw.x)));
      const float2 p23 = __half22float2(__hmul2(q23, *reinterpret_cast<const half2*>(&k_raw.y)));
      float s = (p01.x + p01.y) + (p23.x + p23.y);
#pragma unroll
      for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(kFull, s, off);
      s *= softmax_scale;

      // streaming softmax: rescale what we have so far when the max grows
      const float m_new = fmaxf(m_run, s);
      const float corr = __expf(m_run - m_new);
      const float p = __expf(s - m_new);
      l_run = fmaf(l_run, corr, p);

      const uint2 v_raw = *reinterpret_cast<const uint2*>(&sV[j][lane * kDimsPerLane]);
      const float2 v01 = __half22float2(*reinterpret_cast<const half2*>(&v_raw.x));
      const float2 v23 = __half22float2(*reinterpret_cast<const half2*>(&v_raw.y));
      acc[0] = fmaf(acc[0], corr, p * v01.x);
      acc[1] = fmaf(acc[1], corr, p * v01.y);
      acc[2] = fmaf(acc[2], corr, p * v23.x);
      acc[3] = fmaf(acc[3], corr, p * v23.y);
      m_run = m_new;
    }
    __syncthreads();
  }

  const float inv_l = __fdividef(1.f, l_run);
#pragma unroll
  for (int i = 0; i < kDimsPerLane; ++i) o_out[i] = acc[i] * inv_l;
  if (lane == 0) *lse_out = m_run + __logf(l_run);
}

template <int kHeadDim>
__global__ void flash_decode_combine(const float* __restrict__ o_accum, const float* __restrict__ lse_accum,
                                     half* __restrict__ out, int num_splits, int num_bh) {
  const int bh = blockIdx.x;
  const int d = threadIdx.x;  // blockDim.x == kHeadDim
  float m = -CUDART_INF_F, l = 0.f, o = 0.f;
  for (int s = 0; s < num_splits; ++s) {
    const float lse = lse_accum[(size_t)s * num_bh + bh];
    if (lse == -CUDART_INF_F) continue;
    const float m_new = fmaxf(m, lse);
    const float a = __expf(m - m_new);
    const float w = __expf(lse - m_new);
    l = l * a + w;
    o = o * a + w * o_accum[((size_t)s * num_bh + bh) * kHeadDim + d];
    m = m_new;
  }
  out[(size_t)bh * kHeadDim + d] = __float2half(__fdividef(o, l));
}

}  // namespace fdec

void flash_decode_fwd(const half* q, const half* k_cache, const half* v_cache, const int* seqlens_k,
                      half* out, float* o_accum, float* lse_accum, int batch, int num_heads,
                      int num_kv_heads, int max_seqlen, float softmax_scale, cudaStream_t stream) {
  constexpr int kHeadDim = 128, kBlockN = 32, kGroup = 4;  // requires num_heads == 4 * num_kv_heads
  constexpr int kKeysPerSplit = 512;
  const int num_splits = (max_seqlen + kKeysPerSplit - 1) / kKeysPerSplit;
  const int num_bh = batch * num_heads;

  if (num_heads != kGroup * num_kv_heads) return;

  dim3 grid1(num_splits, batch * num_kv_heads);
  fdec::flash_decode_split_kv<kHeadDim, kBlockN, kGroup><<<grid1, kGroup * 32, 0, stream>>>(
      q, k_cache, v_cache, seqlens_k, o_accum, lse_accum, num_kv_heads, max_seqlen,
      kKeysPerSplit, softmax_scale);

  fdec::flash_decode_combine<kHeadDim><<<num_bh, kHeadDim, 0, stream>>>(o_accum, lse_accum, out,
                                                                         num_splits, num_bh);
}

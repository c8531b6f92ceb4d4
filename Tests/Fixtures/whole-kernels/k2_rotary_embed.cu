// Rotary position embeddings.
//  * rope_gptj_inplace_f16      : interleaved (GPT-J) pairs, angles computed on the fly, fp16, in place
//  * rope_build_cos_sin_cache   : precompute (cos, sin) table for NeoX-style application
//  * rope_neox_apply_cached_bf16: rotate-half (NeoX) layout, bf16, reads the table
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <cstdint>

namespace rotary {
namespace {

// (a, b) -> (a*c - b*s, a*s + b*c) on one packed half2
__device__ __forceinline__ half2 rotate_pair(half2 x, half2 cc, half2 neg_s_s) {
  return __hfma2(__lowhigh2highlow(x), neg_s_s, __hmul2(x, cc));
}

}  // namespace

// grid.x = token; the whole block walks every (head, pair) of that token for q and k.
__global__ void rope_gptj_inplace_f16(half2* __restrict__ q, half2* __restrict__ k,
                                      const int32_t* __restrict__ positions,
                                      int n_heads_q, int n_heads_k, int head_dim, float theta) {
  const int tok = blockIdx.x;
  const int pairs = head_dim / 2;
  const float pos = static_cast<float>(positions[tok]);
  half2* q_tok = q + (size_t)tok * n_heads_q * pairs;
  half2* k_tok = k + (size_t)tok * n_heads_k * pairs;

  const int work = (n_heads_q + n_heads_k) * pairs;
  for (int w = threadIdx.x; w < work; w += blockDim.x) {
    const int i = w % pairs;                       // pair index within the head
    // theta^(-2i/d); accurate library calls, this path is used for long contexts
    const float inv_freq = powf(theta, -2.0f * i / head_dim);
    float s, c;
    sincosf(pos * inv_freq, &s, &c);
    const half2 cc = __float2half2_rn(c);
    const half2 ss = __floats2half2_rn(-s, s);
    half2* p;
    if (w < n_heads_q * pairs) {
      p = q_tok + w;
    } else {
      p = k_tok + (w - n_heads_q * pairs);
    }
    *p = rotate_pair(*p, cc, ss);
  }
}

// cache[pos][i] = (cos(pos * f_i), sin(pos * f_i)),  f_i = theta^(-2i/d)
__global__ void rope_build_cos_sin_cache(float2* __restrict__ cache, int max_pos, int half_dim,
                                         float log_theta) {
  const int total = max_pos * half_dim;
  for (int idx = blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += gridDim.x * blockDim.x) {
    const int p = idx / half_dim;
    const int i = idx - p * half_dim;
    const float inv_freq = __expf(-log_theta * (2.0f * i) / (2.0f * half_dim));
    float s, c;
    __sincosf(static_cast<float>(p) * inv_freq, &s, &c);
    cache[idx] = make_float2(c, s);
  }
}

// One warp per (token, head) row of x; lane l owns dims {2l, 2l+1} of the first
// half and their partners {2l+64, 2l+65} of the second half, as bf16x2 pairs.
template <int kHeadDim>
__global__ void __launch_bounds__(256)
rope_neox_apply_cached_bf16(const __nv_bfloat16* __restrict__ x, __nv_bfloat16* __restrict__ out,
                            const float2* __restrict__ cos_sin, const int32_t* __restrict__ positions,
                            int n_rows, int n_heads) {
  static_assert(kHeadDim == 128, "exactly one bf16x2 pair per lane in each half");
  constexpr int kHalf = kHeadDim / 2;
  const int row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;  // row = token * n_heads + head
  const int lane = threadIdx.x & 31;
  if (row >= n_rows) return;
  const int tok = row / n_heads;
  const int pos = __ldg(positions + tok);

  const int d0 = lane * 2;  // dims d0, d0+1 of the first half; d0+kHalf, d0+1+kHalf of the second
  const __nv_bfloat16* xr = x + (size_t)row * kHeadDim;
  __nv_bfloat16* yr = out + (size_t)row * kHeadDim;

  // {cos_d0, sin_d0, cos_d0+1, sin_d0+1} in a single 16-byte read-only load
  const float4 cs = __ldg(reinterpret_cast<const float4*>(cos_sin + (size_t)pos * kHalf + d0));
  const __nv_bfloat162 c2 = __floats2bfloat162_rn(cs.x, cs.z);
  const __nv_bfloat162 s2 = __floats2bfloat162_rn(cs.y, cs.w);

  const __nv_bfloat162 x1 = *reinterpret_cast<const __nv_bfloat162*>(xr + d0);
  const __nv_bfloat162 x2 = *reinterpret_cast<const __nv_bfloat162*>(xr + d0 + kHalf);

  // y1 = x1*cos - x2*sin ; y2 = x2*cos + x1*sin   (packed bf16x2 FMAs)
  const __nv_bfloat162 y1 = __hfma2(__hneg2(x2), s2, __hmul2(x1, c2));
  const __nv_bfloat162 y2 = __hfma2(x1, s2, __hmul2(x2, c2));
  *reinterpret_cast<__nv_bfloat162*>(yr + d0) = y1;
  *reinterpret_cast<__nv_bfloat162*>(yr + d0 + kHalf) = y2;
}

}  // namespace rotary

void rope_forward_gptj(half* q, half* k, const int32_t* positions, int n_tokens, int n_heads_q,
                       int n_heads_k, int head_dim, float theta, cudaStream_t stream) {
  rotary::rope_gptj_inplace_f16<<<n_tokens, 256, 0, stream>>>(
      reinterpret_cast<half2*>(q), reinterpret_cast<half2*>(k), positions, n_heads_q, n_heads_k,
      head_dim, theta);
}

void rope_forward_neox_bf16(const __nv_bfloat16* x, __nv_bfloat16* out, float2* cos_sin_cache,
                            bool cache_ready, const int32_t* positions, int n_tokens, int n_heads,
                            int max_pos, float theta, cudaStream_t stream) {
  constexpr int kHeadDim = 128;
  if (!cache_ready) {
    const int total = max_pos * (kHeadDim / 2);
    const int blocks = (total + 255) / 256 < 4096 ? (total + 255) / 256 : 4096;
    rotary::rope_build_cos_sin_cache<<<blocks, 256, 0, stream>>>(cos_sin_cache, max_pos, kHeadDim / 2,
                                                                logf(theta));
  }
  const int n_rows = n_tokens * n_heads;
  const int threads = 256;
  const int blocks = (n_rows * 32 + threads - 1) / threads;
  rotary::rope_neox_apply_cached_bf16<kHeadDim><<<blocks, threads, 0, stream>>>(
      x, out, cos_sin_cache, positions, n_rows, n_heads);
}

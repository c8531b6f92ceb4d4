// k4_serve_rotary_sampling.cu
//
// Per-step glue around attention and the lm_head:
//   * rotary embedding on q/k fused with the paged KV-cache write
//   * scaled + causally masked softmax for the unfused prefill path (ALiBi models etc.)
//   * temperature / top-p sampling, one block per sequence
//
// Cache layout: [num_blocks, num_kv_heads, block_size, HEAD_DIM].

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <curand_kernel.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

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

enum class ScalarType : int8_t { Half, BFloat16, Float, Int32, Int64 };

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

#define SRV_DISPATCH_HALF_TYPES(TYPE, NAME, ...)                                                \
  [&] {                                                                                         \
    switch (TYPE) {                                                                             \
      case ::serve::ScalarType::Half: { using scalar_t = half; return __VA_ARGS__(); }          \
      case ::serve::ScalarType::BFloat16: { using scalar_t = __nv_bfloat16; return __VA_ARGS__(); } \
      default: SRV_CHECK(false, NAME, ": unsupported dtype ", int(TYPE));                       \
    }                                                                                           \
  }()

template <typename T> struct Packed2;
template <> struct Packed2<half> {
  using type = __half2;
  static __device__ __forceinline__ float2 unpack(type v) { return __half22float2(v); }
  static __device__ __forceinline__ type pack(float2 v) { return __float22half2_rn(v); }
};
template <> struct Packed2<__nv_bfloat16> {
  using type = __nv_bfloat162;
  static __device__ __forceinline__ float2 unpack(type v) { return __bfloat1622float2(v); }
  static __device__ __forceinline__ type pack(float2 v) { return __float22bfloat162_rn(v); }
};

__device__ __forceinline__ float to_f(half v) { return __half2float(v); }
__device__ __forceinline__ float to_f(__nv_bfloat16 v) { return __bfloat162float(v); }
template <typename T> __device__ __forceinline__ T from_f(float v) { return T(v); }

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Rotates pair r of one head from src into dst (dst == src for the in-place query).
template <typename scalar_t, bool IS_NEOX>
__device__ __forceinline__ void rotate_pair(const scalar_t* src, scalar_t* dst, int r, int half_rot, float c, float s) {
  if constexpr (IS_NEOX) {
    const float x0 = to_f(src[r]), x1 = to_f(src[r + half_rot]);
    dst[r] = from_f<scalar_t>(x0 * c - x1 * s);
    dst[r + half_rot] = from_f<scalar_t>(x1 * c + x0 * s);
  } else {
    // GPT-J interleaving: the pair is adjacent, so move it as one 32-bit word.
    using P = Packed2<scalar_t>;
    const float2 x = P::unpack(reinterpret_cast<const typename P::type*>(src)[r]);
    reinterpret_cast<typename P::type*>(dst)[r] = P::pack(make_float2(x.x * c - x.y * s, x.y * c + x.x * s));
  }
}

// One block per token: rotate q in place, rotate k on its way into the cache slot and
// copy v alongside. The rotated key is never written back to the activation buffer.
template <typename scalar_t, int HEAD_DIM, bool IS_NEOX>
__global__ void rotary_kv_cache_kernel(scalar_t* __restrict__ query,             // [T, num_heads, HEAD_DIM]
                                       const scalar_t* __restrict__ key,         // [T, num_kv_heads, HEAD_DIM]
                                       const scalar_t* __restrict__ value,
                                       scalar_t* __restrict__ k_cache, scalar_t* __restrict__ v_cache,
                                       const float* __restrict__ cos_sin_cache,  // [max_pos, rot_dim] cos | sin
                                       const int64_t* __restrict__ positions,
                                       const int64_t* __restrict__ slot_mapping,
                                       int rot_dim, int num_heads, int num_kv_heads, int block_size,
                                       int64_t q_stride, int64_t kv_stride,
                                       int64_t cache_block_stride, int64_t cache_head_stride) {
  __shared__ float cs[HEAD_DIM];
  const int64_t token = blockIdx.x;
  const int half_rot = rot_dim / 2;
  const float* cs_row = cos_sin_cache + positions[token] * rot_dim;
  for (int i = threadIdx.x; i < rot_dim; i += blockDim.x) cs[i] = __ldg(&cs_row[i]);
  __syncthreads();

  scalar_t* q_tok = query + token * q_stride;
  for (int i = threadIdx.x; i < num_heads * half_rot; i += blockDim.x) {
    const int h = i / half_rot, r = i % half_rot;
    scalar_t* q_head = q_tok + h * HEAD_DIM;
    rotate_pair<scalar_t, IS_NEOX>(q_head, q_head, r, half_rot, cs[r], cs[half_rot + r]);
  }

  const int64_t slot = slot_mapping[token];
  if (slot < 0) return;  // padding token
  const int64_t cache_off = (slot / block_size) * cache_block_stride + (slot % block_size) * HEAD_DIM;
  const scalar_t* k_tok = key + token * kv_stride;
  const scalar_t* v_tok = value + token * kv_stride;

  for (int i = threadIdx.x; i < num_kv_heads * half_rot; i += blockDim.x) {
    const int h = i / half_rot, r = i % half_rot;
    rotate_pair<scalar_t, IS_NEOX>(k_tok + h * HEAD_DIM, k_cache + cache_off + h * cache_head_stride, r, half_rot,
                                   cs[r], cs[half_rot + r]);
  }
  for (int i = threadIdx.x; i < num_kv_heads * HEAD_DIM; i += blockDim.x) {
    const int h = i / HEAD_DIM, d = i % HEAD_DIM;
    const int64_t dst = cache_off + h * cache_head_stride + d;
    if (d >= rot_dim) k_cache[dst] = k_tok[i];  // un-rotated tail under partial rotary
    v_cache[dst] = v_tok[i];
  }
}

// scores [B*H, S, S] -> probs, one warp per query row. Column j sits in lane j % 32 at
// iteration j / 32, so every iteration the warp reads / writes 32 consecutive elements.
template <typename scalar_t, int MAX_ITERS>
__global__ void __launch_bounds__(128)
scaled_causal_softmax_kernel(const scalar_t* __restrict__ scores, scalar_t* __restrict__ probs,
                             int rows, int seq_len, float scale) {
  const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  if (row >= rows) return;
  const int lane = threadIdx.x & 31;
  const int q_pos = row % seq_len;
  const scalar_t* src = scores + (int64_t)row * seq_len;
  scalar_t* dst = probs + (int64_t)row * seq_len;

  // Only columns 0..q_pos are live: iterations that start past the diagonal are neither
  // loaded nor exponentiated, they only get zeros written at the end. The live part of
  // the row stays in registers across the max, exp and normalise passes.
  const int live_iters = q_pos / 32 + 1;
  float v[MAX_ITERS];
  float m = -INFINITY;
#pragma unroll
  for (int it = 0; it < MAX_ITERS; ++it) {
    const int col = it * 32 + lane;
    v[it] = (it < live_iters && col <= q_pos) ? to_f(src[col]) * scale : -INFINITY;
    m = fmaxf(m, v[it]);
  }
  m = warp_max(m);

  float sum = 0.f;
#pragma unroll
  for (int it = 0; it < MAX_ITERS; ++it) {
    if (it < live_iters) {
      v[it] = __expf(v[it] - m);
      sum += v[it];
    }
  }
  const float inv = __fdividef(1.f, warp_sum(sum));

#pragma unroll
  for (int it = 0; it < MAX_ITERS; ++it) {
    const int col = it * 32 + lane;
    if (col < seq_len) dst[col] = from_f<scalar_t>(it < live_iters ? v[it] * inv : 0.f);
  }
}

__device__ __forceinline__ void merge_max_sum(float& m, float& s, float om, float os) {
  const float nm = fmaxf(m, om);
  if (nm == -INFINITY) return;
  s = s * __expf(m - nm) + os * __expf(om - nm);
  m = nm;
}

// One block per sequence over fp32 logits. Probabilities are never materialised: every
// sweep recomputes p_i = exp(x_i / T - max) / sum from the logits (the row is hot in L2
// after the first sweep), instead of writing a probs row out and reading it back.
template <int BLOCK_THREADS>
__global__ void __launch_bounds__(BLOCK_THREADS)
top_p_sampling_kernel(const float* __restrict__ logits,  // [num_seqs, vocab]
                      const float* __restrict__ temperatures, const float* __restrict__ top_ps,
                      int64_t* __restrict__ sampled, int vocab, uint64_t seed, uint64_t philox_offset) {
  constexpr int NUM_WARPS = BLOCK_THREADS / 32;
  constexpr int kBisectIters = 20;
  // Consecutive block sums alternate between these two buffers: a warp can only be
  // writing one while a slower warp still reads the other, so no barrier is needed after
  // reading the partials.
  __shared__ float red[2][NUM_WARPS];
  __shared__ float red_m[NUM_WARPS], red_s[NUM_WARPS], scan_tot[NUM_WARPS];
  __shared__ float u_shared;
  __shared__ int chosen, last_kept;

  const int seq = blockIdx.x, lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const float* row = logits + (int64_t)seq * vocab;
  const float inv_t = __frcp_rn(temperatures[seq]);

  // 1) max and normaliser in a single sweep: running max, running sum rescaled on growth.
  float m = -INFINITY, s = 0.f;
  for (int i = threadIdx.x; i < vocab; i += BLOCK_THREADS) {
    const float x = row[i] * inv_t;
    if (x > m) { s = s * __expf(m - x) + 1.f; m = x; }
    else s += __expf(x - m);
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1)
    merge_max_sum(m, s, __shfl_xor_sync(0xffffffffu, m, o), __shfl_xor_sync(0xffffffffu, s, o));
  if (lane == 0) { red_m[warp] = m; red_s[warp] = s; }
  if (threadIdx.x == 0) { chosen = -1; last_kept = 0; }
  __syncthreads();
  m = lane < NUM_WARPS ? red_m[lane] : -INFINITY;
  s = lane < NUM_WARPS ? red_s[lane] : 0.f;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1)
    merge_max_sum(m, s, __shfl_xor_sync(0xffffffffu, m, o), __shfl_xor_sync(0xffffffffu, s, o));
  const float inv_s = __fdividef(1.f, s);

  // 2) Bisect the nucleus threshold tau: the largest tau with sum_{p >= tau} p >= top_p.
  //    The top probability is exactly 1/s, which bounds the search.
  const float top_p = top_ps[seq];
  float lo = 0.f, hi = inv_s, kept = 1.f;
  for (int iter = 0; iter < kBisectIters; ++iter) {
    const float mid = 0.5f * (lo + hi);
    float mass = 0.f;
    for (int i = threadIdx.x; i < vocab; i += BLOCK_THREADS) {
      const float p = __expf(row[i] * inv_t - m) * inv_s;
      mass += p >= mid ? p : 0.f;
    }
    float* buf = red[iter & 1];
    mass = warp_sum(mass);
    if (lane == 0) buf[warp] = mass;
    __syncthreads();
    mass = warp_sum(lane < NUM_WARPS ? buf[lane] : 0.f);
    if (mass >= top_p) { lo = mid; kept = mass; } else { hi = mid; }
  }
  const float tau = lo;

  // 3) Draw u in [0, kept) and find the kept token where the running mass crosses it,
  //    scanning the vocab one block-wide chunk at a time.
  if (threadIdx.x == 0) {
    curandStatePhilox4_32_10_t rng;
    curand_init(seed, seq, philox_offset, &rng);
    u_shared = curand_uniform(&rng) * kept;
  }
  __syncthreads();
  const float u = u_shared;
  float carry = 0.f;
  for (int base = 0; base < vocab; base += BLOCK_THREADS) {
    const int i = base + threadIdx.x;
    float p = 0.f;
    if (i < vocab) {
      p = __expf(row[i] * inv_t - m) * inv_s;
      p = p >= tau ? p : 0.f;
      if (p > 0.f) atomicMax(&last_kept, i);
    }
    float incl = p;
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      const float up = __shfl_up_sync(0xffffffffu, incl, o);
      if (lane >= o) incl += up;
    }
    if (lane == 31) scan_tot[warp] = incl;
    __syncthreads();
    float before = carry, chunk = 0.f;
#pragma unroll
    for (int w = 0; w < NUM_WARPS; ++w) {
      const float t = scan_tot[w];
      if (w < warp) before += t;
      chunk += t;
    }
    incl += before;
    if (p > 0.f && incl >= u && incl - p < u) chosen = i;
    carry += chunk;
    if (__syncthreads_or(carry >= u)) break;
  }
  if (threadIdx.x == 0) sampled[seq] = chosen >= 0 ? chosen : last_kept;  // rounding fallback
}

// ---------------------------------------------------------------------------
// ops layer
// ---------------------------------------------------------------------------
void rotary_embedding_and_cache(Tensor& query, const Tensor& key, const Tensor& value, Tensor& k_cache,
                                Tensor& v_cache, const Tensor& cos_sin_cache, const Tensor& positions,
                                const Tensor& slot_mapping, bool is_neox, cudaStream_t stream) {
  const int num_tokens = (int)query.size(0), num_heads = (int)query.size(1), head_dim = (int)query.size(2);
  const int num_kv_heads = (int)key.size(1), rot_dim = (int)cos_sin_cache.size(1);
  SRV_CHECK(cos_sin_cache.dtype == ScalarType::Float, "cos/sin cache is kept in fp32");
  SRV_CHECK(rot_dim <= head_dim && rot_dim % 2 == 0, "bad rot_dim ", rot_dim);
  SRV_CHECK(key.stride(0) == value.stride(0), "key/value must share a token stride");
  if (num_tokens == 0) return;
  const int threads = std::min(num_heads * rot_dim / 2, 512);

  SRV_DISPATCH_HALF_TYPES(query.dtype, "rotary_embedding_and_cache", [&] {
    auto pick = [&](auto head_tag) {
      constexpr int D = decltype(head_tag)::value;
      auto kernel = is_neox ? rotary_kv_cache_kernel<scalar_t, D, true> : rotary_kv_cache_kernel<scalar_t, D, false>;
      kernel<<<num_tokens, threads, 0, stream>>>(
          query.data_ptr<scalar_t>(), key.data_ptr<scalar_t>(), value.data_ptr<scalar_t>(),
          k_cache.data_ptr<scalar_t>(), v_cache.data_ptr<scalar_t>(), cos_sin_cache.data_ptr<float>(),
          positions.data_ptr<int64_t>(), slot_mapping.data_ptr<int64_t>(), rot_dim, num_heads, num_kv_heads,
          (int)k_cache.size(2), query.stride(0), key.stride(0), k_cache.stride(0), k_cache.stride(1));
    };
    switch (head_dim) {
      case 64:  pick(std::integral_constant<int, 64>{}); break;
      case 128: pick(std::integral_constant<int, 128>{}); break;
      default:  SRV_CHECK(false, "unsupported head_dim ", head_dim);
    }
  });
  SRV_CUDA_CHECK(cudaGetLastError());
}

void scaled_causal_softmax(Tensor& probs, const Tensor& scores, float scale, cudaStream_t stream) {
  const int seq_len = (int)scores.size(1);
  const int rows = (int)(scores.size(0) * seq_len);
  SRV_CHECK(seq_len <= 1024, "unfused softmax path is for short prompts; seq_len=", seq_len);
  const int iters = (seq_len + 31) / 32;
  const int blocks = (rows + 3) / 4;

#define K4_SOFTMAX_CASE(N)                                                                    \
  if (iters <= N) {                                                                           \
    scaled_causal_softmax_kernel<scalar_t, N><<<blocks, 128, 0, stream>>>(                    \
        scores.data_ptr<scalar_t>(), probs.data_ptr<scalar_t>(), rows, seq_len, scale);       \
    return;                                                                                   \
  }
  SRV_DISPATCH_HALF_TYPES(scores.dtype, "scaled_causal_softmax", [&] {
    K4_SOFTMAX_CASE(1) K4_SOFTMAX_CASE(2) K4_SOFTMAX_CASE(4)
    K4_SOFTMAX_CASE(8) K4_SOFTMAX_CASE(16) K4_SOFTMAX_CASE(32)
  });
#undef K4_SOFTMAX_CASE
  SRV_CUDA_CHECK(cudaGetLastError());
}

struct SamplerTiming {
  cudaEvent_t start = nullptr, stop = nullptr;  // read back by the metrics thread
};

void top_p_sample(Tensor& sampled, const Tensor& logits, const Tensor& temperatures, const Tensor& top_ps,
                  uint64_t seed, uint64_t& philox_offset, cudaStream_t stream, SamplerTiming* timing = nullptr) {
  SRV_CHECK(logits.dtype == ScalarType::Float, "sampler expects fp32 logits");
  SRV_CHECK(sampled.dtype == ScalarType::Int64, "sampled ids are int64");
  const int num_seqs = (int)logits.size(0), vocab = (int)logits.size(1);
  if (num_seqs == 0) return;

  if (timing) SRV_CUDA_CHECK(cudaEventRecord(timing->start, stream));
  top_p_sampling_kernel<1024><<<num_seqs, 1024, 0, stream>>>(
      logits.data_ptr<float>(), temperatures.data_ptr<float>(), top_ps.data_ptr<float>(),
      sampled.data_ptr<int64_t>(), vocab, seed, philox_offset);
  SRV_CUDA_CHECK(cudaGetLastError());
  if (timing) SRV_CUDA_CHECK(cudaEventRecord(timing->stop, stream));
  philox_offset += 4;  // one curand_uniform per sequence per step
}

}  // namespace serve

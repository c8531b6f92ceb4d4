// k4_serve_paged_attention.cu
//
// Decode-time attention over the paged KV cache, plus the two cache-maintenance
// kernels the block manager drives (slot writes for new tokens and copy-on-write
// block copies after a beam fork / prefix-cache hit).
//
// Cache layout, K and V alike:   [num_blocks, num_kv_heads, BLOCK_SIZE, HEAD_DIM]

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace serve {
template <typename... Args>
inline std::string str_cat(const Args&... args) { std::ostringstream os; (os << ... << args); return os.str(); }
}  // namespace serve

#define SRV_CHECK(cond, ...)                                                            \
  do {                                                                                  \
    if (!(cond))                                                                        \
      throw std::runtime_error(::serve::str_cat(__FILE__, ":", __LINE__, " check failed: " \
                                                #cond ". ", ##__VA_ARGS__));            \
  } while (0)

#define SRV_CUDA_CHECK(expr)                                          \
  do {                                                                \
    cudaError_t _srv_err = (expr);                                    \
    SRV_CHECK(_srv_err == cudaSuccess, cudaGetErrorString(_srv_err)); \
  } while (0)

namespace serve {

enum class ScalarType : int8_t { Half, BFloat16, Float, Int32, Int64 };

struct Tensor {
  void* data = nullptr;
  ScalarType dtype = ScalarType::Half;
  int ndim = 0;
  int64_t shape[6] = {};
  int64_t strides[6] = {};
  int64_t size(int d) const { return shape[d < 0 ? d + ndim : d]; }
  int64_t stride(int d) const { return strides[d < 0 ? d + ndim : d]; }
  template <typename T> T* data_ptr() const { return reinterpret_cast<T*>(data); }
};

#define SRV_DISPATCH_HALF_TYPES(TYPE, NAME, ...)                                        \
  [&] {                                                                                 \
    switch (TYPE) {                                                                     \
      case ::serve::ScalarType::Half: { using scalar_t = half; return __VA_ARGS__(); }  \
      case ::serve::ScalarType::BFloat16: { using scalar_t = __nv_bfloat16; return __VA_ARGS__(); } \
      default: SRV_CHECK(false, NAME, ": unsupported dtype ", int(TYPE));               \
    }                                                                                   \
  }()

// device helpers
constexpr int kWarpSize = 32;

template <typename T> __device__ __forceinline__ float2 unpack2(uint32_t w);
template <> __device__ __forceinline__ float2 unpack2<half>(uint32_t w) {
  return __half22float2(*reinterpret_cast<const __half2*>(&w));
}
template <> __device__ __forceinline__ float2 unpack2<__nv_bfloat16>(uint32_t w) {
  return __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&w));
}

template <typename T>
__device__ __forceinline__ void unpack8(const uint4& u, float (&f)[8]) {
  const uint32_t w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 p = unpack2<T>(w[i]);
    f[2 * i] = p.x;
    f[2 * i + 1] = p.y;
  }
}

__device__ __forceinline__ float to_f(half v) { return __half2float(v); }
__device__ __forceinline__ float to_f(__nv_bfloat16 v) { return __bfloat162float(v); }
template <typename T> __device__ __forceinline__ T from_f(float v);
template <> __device__ __forceinline__ half from_f<half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_f<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

template <int WIDTH = kWarpSize>
__device__ __forceinline__ float warp_reduce_sum(float v) {
#pragma unroll
  for (int o = WIDTH / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float warp_reduce_max(float v) {
#pragma unroll
  for (int o = kWarpSize / 2; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Result is valid in every thread. Callers pass disjoint scratch for back-to-back calls.
template <int NUM_WARPS, bool IS_MAX>
__device__ __forceinline__ float block_reduce(float v, float* scratch) {
  const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
  v = IS_MAX ? warp_reduce_max(v) : warp_reduce_sum(v);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < NUM_WARPS ? scratch[lane] : (IS_MAX ? -FLT_MAX : 0.f);
  return IS_MAX ? warp_reduce_max(v) : warp_reduce_sum(v);
}

// paged decode attention: one block per (query head, sequence)
template <typename scalar_t, int HEAD_DIM, int BLOCK_SIZE, int NUM_THREADS>
__global__ void __launch_bounds__(NUM_THREADS)
paged_attention_decode_kernel(scalar_t* __restrict__ out,            // [num_seqs, num_heads, HEAD_DIM]
                              const scalar_t* __restrict__ q,        // [num_seqs, num_heads, HEAD_DIM]
                              const scalar_t* __restrict__ k_cache,
                              const scalar_t* __restrict__ v_cache,
                              const int* __restrict__ block_tables,  // [num_seqs, max_blocks_per_seq]
                              const int* __restrict__ context_lens,  // [num_seqs]
                              int num_kv_heads, int max_blocks_per_seq, float scale,
                              int64_t q_stride, int64_t kv_block_stride, int64_t kv_head_stride) {
  constexpr int NUM_WARPS = NUM_THREADS / kWarpSize;
  constexpr int VEC = 8;                                  // 16-bit elements per 16-byte load
  constexpr int GROUP = kWarpSize / BLOCK_SIZE;           // lanes sharing one key
  constexpr int VECS_PER_LANE = HEAD_DIM / (VEC * GROUP);
  constexpr int DIMS_PER_LANE = HEAD_DIM / kWarpSize;     // output dims owned by a lane in PV
  static_assert(kWarpSize % BLOCK_SIZE == 0, "BLOCK_SIZE must divide the warp");
  static_assert(HEAD_DIM % (VEC * GROUP) == 0, "HEAD_DIM not covered by the key group");

  const int head = blockIdx.x, num_heads = gridDim.x;
  // The scheduler hands sequences over sorted by ascending context length. Walk them
  // back to front so the longest ones get an SM first and the short ones fill in
  // behind, instead of a handful of long sequences forming the tail of the grid.
  const int seq = gridDim.y - 1 - blockIdx.y;
  const int ctx_len = context_lens[seq];
  scalar_t* out_ptr = out + ((int64_t)seq * num_heads + head) * HEAD_DIM;
  if (ctx_len == 0) {
    for (int i = threadIdx.x; i < HEAD_DIM; i += NUM_THREADS) out_ptr[i] = from_f<scalar_t>(0.f);
    return;
  }

  const int kv_head = head / (num_heads / num_kv_heads);
  const int warp = threadIdx.x / kWarpSize, lane = threadIdx.x % kWarpSize;
  const int num_ctx_blocks = (ctx_len + BLOCK_SIZE - 1) / BLOCK_SIZE;
  const int* block_table = block_tables + (int64_t)seq * max_blocks_per_seq;

  __shared__ __align__(16) scalar_t q_smem[HEAD_DIM];
  __shared__ float red_smem[2 * NUM_WARPS];
  extern __shared__ float dyn_smem[];
  float* logits = dyn_smem;                                      // [num_ctx_blocks * BLOCK_SIZE]
  float* out_partials = dyn_smem + num_ctx_blocks * BLOCK_SIZE;  // [NUM_WARPS][HEAD_DIM]

  const scalar_t* q_ptr = q + seq * q_stride + (int64_t)head * HEAD_DIM;
  for (int i = threadIdx.x; i < HEAD_DIM / VEC; i += NUM_THREADS)
    reinterpret_cast<uint4*>(q_smem)[i] = reinterpret_cast<const uint4*>(q_ptr)[i];
  __syncthreads();

  // QK^T. GROUP lanes own one key of the current cache block; lane g of the group reads
  // 16-byte chunks g, g+GROUP, ... of that key.
  const int group_lane = lane % GROUP, token_in_block = lane / GROUP;

  // The query slice a lane needs is identical for every key it visits.
  float q_reg[VECS_PER_LANE][VEC];
#pragma unroll
  for (int v = 0; v < VECS_PER_LANE; ++v)
    unpack8<scalar_t>(reinterpret_cast<const uint4*>(q_smem)[v * GROUP + group_lane], q_reg[v]);

  float qk_max = -FLT_MAX;
  for (int b = warp; b < num_ctx_blocks; b += NUM_WARPS) {
    const int64_t phys = block_table[b];
    const uint4* k_vec = reinterpret_cast<const uint4*>(k_cache + phys * kv_block_stride +
                                                        kv_head * kv_head_stride + token_in_block * HEAD_DIM);
    float dot = 0.f;
#pragma unroll
    for (int v = 0; v < VECS_PER_LANE; ++v) {
      float kf[VEC];
      unpack8<scalar_t>(k_vec[v * GROUP + group_lane], kf);
#pragma unroll
      for (int e = 0; e < VEC; ++e) dot = fmaf(q_reg[v][e], kf[e], dot);
    }
    dot = warp_reduce_sum<GROUP>(dot) * scale;
    const int token = b * BLOCK_SIZE + token_in_block;
    if (token < ctx_len) {
      if (group_lane == 0) logits[token] = dot;
      qk_max = fmaxf(qk_max, dot);
    }
  }
  qk_max = block_reduce<NUM_WARPS, true>(qk_max, red_smem);

  // Max is final here; exponentiate the logits held in smem and sum in a second sweep.
  float exp_sum = 0.f;
  for (int i = threadIdx.x; i < ctx_len; i += NUM_THREADS) {
    const float p = __expf(logits[i] - qk_max);
    logits[i] = p;
    exp_sum += p;
  }
  exp_sum = block_reduce<NUM_WARPS, false>(exp_sum, red_smem + NUM_WARPS);
  // Normalisation is applied to the HEAD_DIM outputs once, not to every probability.
  const float inv_sum = __fdividef(1.f, exp_sum + 1e-6f);

  // PV. A warp walks whole cache blocks; lane owns DIMS_PER_LANE consecutive dims, so
  // each value row is read as one contiguous HEAD_DIM span by the warp.
  float acc[DIMS_PER_LANE] = {};
  for (int b = warp; b < num_ctx_blocks; b += NUM_WARPS) {
    const int64_t phys = block_table[b];
    const scalar_t* v_rows = v_cache + phys * kv_block_stride + kv_head * kv_head_stride + lane * DIMS_PER_LANE;
    const int valid = min(BLOCK_SIZE, ctx_len - b * BLOCK_SIZE);
    for (int t = 0; t < valid; ++t) {
      const float p = logits[b * BLOCK_SIZE + t];
      const scalar_t* row = v_rows + t * HEAD_DIM;
#pragma unroll
      for (int d = 0; d < DIMS_PER_LANE; ++d) acc[d] = fmaf(p, to_f(row[d]), acc[d]);
    }
  }

  float* my_part = out_partials + warp * HEAD_DIM + lane * DIMS_PER_LANE;
#pragma unroll
  for (int d = 0; d < DIMS_PER_LANE; ++d) my_part[d] = acc[d];
  __syncthreads();

  for (int i = threadIdx.x; i < HEAD_DIM; i += NUM_THREADS) {
    float s = 0.f;
#pragma unroll
    for (int w = 0; w < NUM_WARPS; ++w) s += out_partials[w * HEAD_DIM + i];
    out_ptr[i] = from_f<scalar_t>(s * inv_sum);
  }
}

// Slot writes for this step's K/V. One block per token. Thread i moves 16-byte chunk i of the token's [kv_heads, HEAD_DIM]
// row, so a warp reads 512 contiguous bytes of the source and writes whole contiguous
// HEAD_DIM rows of the destination slot: both sides are fully coalesced.
template <typename scalar_t, int HEAD_DIM>
__global__ void kv_cache_write_kernel(const scalar_t* __restrict__ key,    // [num_tokens, num_kv_heads, HEAD_DIM]
                                      const scalar_t* __restrict__ value,
                                      scalar_t* __restrict__ k_cache, scalar_t* __restrict__ v_cache,
                                      const int64_t* __restrict__ slot_mapping,  // [num_tokens]
                                      int num_kv_heads, int block_size, int64_t key_stride,
                                      int64_t value_stride, int64_t kv_block_stride, int64_t kv_head_stride) {
  constexpr int VEC = 16 / sizeof(scalar_t);
  constexpr int CHUNKS_PER_HEAD = HEAD_DIM / VEC;
  const int64_t token = blockIdx.x, slot = slot_mapping[token];
  if (slot < 0) return;  // padding token, the scheduler gave it no slot

  const int64_t blk = slot / block_size, off = slot % block_size;
  const uint4* k_src = reinterpret_cast<const uint4*>(key + token * key_stride);
  const uint4* v_src = reinterpret_cast<const uint4*>(value + token * value_stride);
  const int n_chunks = num_kv_heads * CHUNKS_PER_HEAD;

  for (int i = threadIdx.x; i < n_chunks; i += blockDim.x) {
    const int h = i / CHUNKS_PER_HEAD, c = i % CHUNKS_PER_HEAD;
    const int64_t dst = blk * kv_block_stride + h * kv_head_stride + off * HEAD_DIM;
    reinterpret_cast<uint4*>(k_cache + dst)[c] = k_src[i];
    reinterpret_cast<uint4*>(v_cache + dst)[c] = v_src[i];
  }
}

// Copy-on-write of whole cache blocks, all layers in one launch: blockIdx.x picks the
// layer (base pointers come from the pointer tables), blockIdx.y the (src, dst) pair.
__global__ void copy_blocks_kernel(const int64_t* __restrict__ k_cache_ptrs,  // [num_layers]
                                   const int64_t* __restrict__ v_cache_ptrs,
                                   const int64_t* __restrict__ block_pairs,   // [num_pairs, 2]
                                   int64_t block_bytes) {
  uint4* k = reinterpret_cast<uint4*>(k_cache_ptrs[blockIdx.x]);
  uint4* v = reinterpret_cast<uint4*>(v_cache_ptrs[blockIdx.x]);
  const int64_t src = block_pairs[2 * blockIdx.y], dst = block_pairs[2 * blockIdx.y + 1];
  const int64_t n = block_bytes / sizeof(uint4);

  // Keep this rolled: trip count is runtime and the body is one 16-byte move each way.
#pragma unroll 1
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    k[dst * n + i] = k[src * n + i];
    v[dst * n + i] = v[src * n + i];
  }
}

// ops layer
namespace {

struct DecodeArgs {
  Tensor* out;
  const Tensor *query, *key_cache, *value_cache, *block_tables, *context_lens;
  int max_context_len;
  float scale;
  cudaStream_t stream;
};

template <typename scalar_t, int HEAD_DIM, int BLOCK_SIZE>
void launch_paged_attention(const DecodeArgs& a) {
  constexpr int kThreads = 128, kWarps = kThreads / kWarpSize;
  const int num_seqs = (int)a.query->size(0), num_heads = (int)a.query->size(1);
  const int num_kv_heads = (int)a.key_cache->size(1);
  SRV_CHECK(num_heads % num_kv_heads == 0, "heads ", num_heads, " vs kv heads ", num_kv_heads);

  const int padded_ctx = (a.max_context_len + BLOCK_SIZE - 1) / BLOCK_SIZE * BLOCK_SIZE;
  const size_t smem = (size_t)(padded_ctx + kWarps * HEAD_DIM) * sizeof(float);
  auto kernel = paged_attention_decode_kernel<scalar_t, HEAD_DIM, BLOCK_SIZE, kThreads>;
  if (smem > 48 * 1024) {
    int dev = 0, optin = 0;
    SRV_CUDA_CHECK(cudaGetDevice(&dev));
    SRV_CUDA_CHECK(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    SRV_CHECK(smem <= (size_t)optin, "max_context_len ", a.max_context_len, " too long for 1-pass decode");
    SRV_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  }

  const dim3 grid(num_heads, num_seqs);
  kernel<<<grid, kThreads, smem, a.stream>>>(
      a.out->data_ptr<scalar_t>(), a.query->data_ptr<scalar_t>(), a.key_cache->data_ptr<scalar_t>(),
      a.value_cache->data_ptr<scalar_t>(), a.block_tables->data_ptr<int>(),
      a.context_lens->data_ptr<int>(), num_kv_heads, (int)a.block_tables->size(1), a.scale,
      a.query->stride(0), a.key_cache->stride(0), a.key_cache->stride(1));
  SRV_CUDA_CHECK(cudaGetLastError());
}

template <typename scalar_t, int HEAD_DIM>
void dispatch_block_size(int block_size, const DecodeArgs& a) {
  switch (block_size) {
    case 16: launch_paged_attention<scalar_t, HEAD_DIM, 16>(a); break;
    case 32: launch_paged_attention<scalar_t, HEAD_DIM, 32>(a); break;
    default: SRV_CHECK(false, "unsupported cache block size ", block_size);
  }
}

}  // namespace

void paged_attention_decode(Tensor& out, const Tensor& query, const Tensor& key_cache,
                            const Tensor& value_cache, const Tensor& block_tables,
                            const Tensor& context_lens, int max_context_len, float scale,
                            cudaStream_t stream) {
  SRV_CHECK(query.ndim == 3 && key_cache.ndim == 4, "expected q [S,H,D] and cache [N,Hkv,B,D]");
  SRV_CHECK(query.dtype == key_cache.dtype && key_cache.dtype == value_cache.dtype, "dtype mismatch");
  SRV_CHECK(block_tables.dtype == ScalarType::Int32 && context_lens.dtype == ScalarType::Int32,
            "block_tables / context_lens must be int32");
  SRV_CHECK(query.stride(2) == 1 && key_cache.stride(3) == 1, "last dim must be contiguous");
  const int head_dim = (int)query.size(2);
  const int block_size = (int)key_cache.size(2);
  const DecodeArgs args{&out, &query, &key_cache, &value_cache, &block_tables, &context_lens,
                        max_context_len, scale, stream};

  SRV_DISPATCH_HALF_TYPES(query.dtype, "paged_attention_decode", [&] {
    switch (head_dim) {
      case 64:  dispatch_block_size<scalar_t, 64>(block_size, args); break;
      case 128: dispatch_block_size<scalar_t, 128>(block_size, args); break;
      case 256: dispatch_block_size<scalar_t, 256>(block_size, args); break;
      default:  SRV_CHECK(false, "unsupported head_dim ", head_dim);
    }
  });
}

void kv_cache_write(const Tensor& key, const Tensor& value, Tensor& key_cache, Tensor& value_cache,
                    const Tensor& slot_mapping, cudaStream_t stream) {
  SRV_CHECK(slot_mapping.dtype == ScalarType::Int64, "slot_mapping must be int64");
  const int num_tokens = (int)key.size(0), num_kv_heads = (int)key.size(1), head_dim = (int)key.size(2);
  if (num_tokens == 0) return;

  SRV_DISPATCH_HALF_TYPES(key.dtype, "kv_cache_write", [&] {
    const int chunks = num_kv_heads * head_dim / (16 / (int)sizeof(scalar_t));
    auto kernel = head_dim == 64    ? kv_cache_write_kernel<scalar_t, 64>
                  : head_dim == 128 ? kv_cache_write_kernel<scalar_t, 128>
                                    : kv_cache_write_kernel<scalar_t, 256>;
    SRV_CHECK(head_dim == 64 || head_dim == 128 || head_dim == 256, "unsupported head_dim ", head_dim);
    kernel<<<num_tokens, std::min(chunks, 512), 0, stream>>>(
        key.data_ptr<scalar_t>(), value.data_ptr<scalar_t>(), key_cache.data_ptr<scalar_t>(),
        value_cache.data_ptr<scalar_t>(), slot_mapping.data_ptr<int64_t>(), num_kv_heads,
        (int)key_cache.size(2), key.stride(0), value.stride(0), key_cache.stride(0), key_cache.stride(1));
  });
  SRV_CUDA_CHECK(cudaGetLastError());
}

void copy_blocks(const std::vector<Tensor>& key_caches, const std::vector<Tensor>& value_caches,
                 const std::vector<int64_t>& pairs_flat, cudaStream_t stream) {
  const int num_layers = (int)key_caches.size(), num_pairs = (int)pairs_flat.size() / 2;
  if (num_layers == 0 || num_pairs == 0) return;
  SRV_CHECK(value_caches.size() == key_caches.size(), "layer count mismatch");
  const Tensor& ref = key_caches[0];
  const int64_t block_bytes = ref.stride(0) * (ref.dtype == ScalarType::Float ? 4 : 2);
  SRV_CHECK(block_bytes % 16 == 0, "cache block is not a multiple of 16 bytes");

  std::vector<int64_t> host(2 * num_layers + pairs_flat.size());
  for (int l = 0; l < num_layers; ++l) {
    host[l] = reinterpret_cast<int64_t>(key_caches[l].data);
    host[num_layers + l] = reinterpret_cast<int64_t>(value_caches[l].data);
  }
  std::copy(pairs_flat.begin(), pairs_flat.end(), host.begin() + 2 * num_layers);

  int64_t* dev = nullptr;
  SRV_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&dev), host.size() * sizeof(int64_t), stream));
  SRV_CUDA_CHECK(cudaMemcpyAsync(dev, host.data(), host.size() * sizeof(int64_t),
                                 cudaMemcpyHostToDevice, stream));
  const dim3 grid(num_layers, num_pairs);
  copy_blocks_kernel<<<grid, 256, 0, stream>>>(dev, dev + num_layers, dev + 2 * num_layers, block_bytes);
  SRV_CUDA_CHECK(cudaGetLastError());
  SRV_CUDA_CHECK(cudaFreeAsync(dev, stream));
}

}  // namespace serve

// Embedding-table backward from pre-sorted token ids, and a multi-tensor LAMB step.
//
// Both reductions here are atomic-free: an embedding row is summed by exactly one
// warp in sort order, and LAMB's per-tensor norms go through per-chunk partials that
// a second kernel folds in chunk order. Results do not change between runs.

#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "k5_op_registry.h"

namespace k5 {
namespace {

constexpr unsigned kFull = 0xffffffffu;

// ---------------------------------------------------------------------------------
// Embedding backward. Warp w sits on sorted position w; only the warp at the head of a
// run of equal ids does anything, and it sums the whole run into dweight[id].
// Lanes own consecutive float4 columns, so every row read is one contiguous 512-byte
// request per warp (coalesced).
template <int kVecPerLane>   // C = 128 * kVecPerLane
__global__ void __launch_bounds__(256)
embedding_bwd_sorted_kernel(const float* __restrict__ dout,          // [N, C]
                            const int32_t* __restrict__ sorted_ids,  // [N]
                            const int32_t* __restrict__ sorted_pos,  // [N] source row of each id
                            float* __restrict__ dweight,             // [V, C], accumulated into
                            int n) {
  constexpr int C = 128 * kVecPerLane;
  const int lane = threadIdx.x & 31;
  const int w = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
  if (w >= n) return;
  const int id = sorted_ids[w];
  if (w > 0 && sorted_ids[w - 1] == id) return;   // not the head of its run

  float4 acc[kVecPerLane];
#pragma unroll
  for (int v = 0; v < kVecPerLane; ++v) acc[v] = make_float4(0.f, 0.f, 0.f, 0.f);

  for (int base = w;; base += 32) {
    // Up to 32 run members are looked up at once (one per lane) instead of one
    // dependent index load per row; the warp then walks them in sort order.
    const int j = base + lane;
    const bool in_run = j < n && sorted_ids[j] == id;
    const int pos = in_run ? sorted_pos[j] : 0;
    // Ids are sorted, so the members form a prefix of the warp.
    const int cnt = __popc(__ballot_sync(kFull, in_run));

    for (int k = 0; k < cnt; ++k) {
      const int src_row = __shfl_sync(kFull, pos, k);
      const float4* src = reinterpret_cast<const float4*>(dout + (size_t)src_row * C);
#pragma unroll
      for (int v = 0; v < kVecPerLane; ++v) {
        const float4 d = src[lane + v * 32];
        acc[v].x += d.x; acc[v].y += d.y; acc[v].z += d.z; acc[v].w += d.w;
      }
    }
    if (cnt < 32) break;
  }

  float4* dst = reinterpret_cast<float4*>(dweight + (size_t)id * C);
#pragma unroll
  for (int v = 0; v < kVecPerLane; ++v) {
    float4 o = dst[lane + v * 32];
    o.x += acc[v].x; o.y += acc[v].y; o.z += acc[v].z; o.w += acc[v].w;
    dst[lane + v * 32] = o;
  }
}

// ---------------------------------------------------------------------------------
// Multi-tensor LAMB. The host packs up to kMaxTensors tensors and kMaxBlocks
// (tensor, chunk) work items into one kernel-argument struct per launch.
constexpr int kMaxTensors = 36;
constexpr int kMaxBlocks = 256;
constexpr int kChunk = 16384;
constexpr int kILP = 4;

struct LambTensorList {
  float* param[kMaxTensors];
  float* grad[kMaxTensors];          // stage 1 overwrites it with the update direction
  float* exp_avg[kMaxTensors];
  float* exp_avg_sq[kMaxTensors];
  __nv_bfloat16* param_bf16[kMaxTensors];
  int numel[kMaxTensors];
  int tensor_id[kMaxTensors];        // global index into trust_ratio
  int chunk_base[kMaxTensors];       // global index of the tensor's chunk 0 in the norm partials
  unsigned char block_tensor[kMaxBlocks];
  int block_chunk[kMaxBlocks];
};

struct LambHyper {
  float beta1, beta2, eps, weight_decay;
  float inv_bias_corr1, inv_bias_corr2;   // 1/(1-beta^t), computed on the host
  float inv_loss_scale;
};

template <int kThreads>
__device__ __forceinline__ float2 block_sum2(float a, float b) {
  __shared__ float2 s_warp[kThreads / 32];
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    a += __shfl_xor_sync(kFull, a, o);
    b += __shfl_xor_sync(kFull, b, o);
  }
  const int lane = threadIdx.x & 31;
  if (lane == 0) s_warp[threadIdx.x >> 5] = make_float2(a, b);
  __syncthreads();
  float2 r = make_float2(0.f, 0.f);
  if (threadIdx.x < 32) {
    r = lane < kThreads / 32 ? s_warp[lane] : make_float2(0.f, 0.f);
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      r.x += __shfl_xor_sync(kFull, r.x, o);
      r.y += __shfl_xor_sync(kFull, r.y, o);
    }
  }
  return r;   // valid in thread 0
}

// Stage 1: unscale the AMP gradient, update both moments, form the LAMB update
// direction u = m_hat / (sqrt(v_hat) + eps) + wd * p, and emit this chunk's ||p||^2
// and ||u||^2 as one partial pair.
template <int kThreads>
__global__ void __launch_bounds__(kThreads)
lamb_stage1_kernel(LambTensorList tl, LambHyper hp, float2* __restrict__ chunk_sq_norms) {
  const int t = tl.block_tensor[blockIdx.x];
  const int chunk = tl.block_chunk[blockIdx.x];
  const int begin = chunk * kChunk;
  const int end = min(begin + kChunk, tl.numel[t]);

  const float* __restrict__ p = tl.param[t];
  float* __restrict__ g = tl.grad[t];
  float* __restrict__ m = tl.exp_avg[t];
  float* __restrict__ v = tl.exp_avg_sq[t];

  float p_sq = 0.f, u_sq = 0.f;
  for (int base = begin + threadIdx.x; base < end; base += kThreads * kILP) {
    // All kILP loads of all four streams are issued before any arithmetic so the
    // requests overlap in the memory system instead of serialising per element.
    float rp[kILP], rg[kILP], rm[kILP], rv[kILP];
#pragma unroll
    for (int k = 0; k < kILP; ++k) {
      const int i = base + k * kThreads;
      rp[k] = rg[k] = rm[k] = rv[k] = 0.f;
      if (i < end) { rp[k] = p[i]; rg[k] = g[i]; rm[k] = m[i]; rv[k] = v[i]; }
    }
#pragma unroll
    for (int k = 0; k < kILP; ++k) {
      const int i = base + k * kThreads;
      const float gk = rg[k] * hp.inv_loss_scale;
      rm[k] = hp.beta1 * rm[k] + (1.f - hp.beta1) * gk;
      rv[k] = hp.beta2 * rv[k] + (1.f - hp.beta2) * gk * gk;
      const float upd = (rm[k] * hp.inv_bias_corr1) /
                        (sqrtf(rv[k] * hp.inv_bias_corr2) + hp.eps) + hp.weight_decay * rp[k];
      if (i < end) {
        m[i] = rm[k];
        v[i] = rv[k];
        g[i] = upd;
        p_sq += rp[k] * rp[k];
        u_sq += upd * upd;
      }
    }
  }

  const float2 s = block_sum2<kThreads>(p_sq, u_sq);
  if (threadIdx.x == 0) chunk_sq_norms[tl.chunk_base[t] + chunk] = s;
}

// One block per tensor: fold that tensor's chunk partials in chunk order and turn
// them into the trust ratio ||p|| / ||u||.
__global__ void __launch_bounds__(128)
lamb_trust_ratio_kernel(const float2* __restrict__ chunk_sq_norms,
                        const int* __restrict__ chunk_offsets,   // [num_tensors + 1]
                        float* __restrict__ trust_ratio) {
  const int t = blockIdx.x;
  const int c0 = chunk_offsets[t];
  const int c1 = chunk_offsets[t + 1];
  float p_sq = 0.f, u_sq = 0.f;
  for (int c = c0 + threadIdx.x; c < c1; c += blockDim.x) {
    const float2 s = chunk_sq_norms[c];
    p_sq += s.x;
    u_sq += s.y;
  }
  const float2 s = block_sum2<128>(p_sq, u_sq);
  if (threadIdx.x == 0) {
    const float pn = sqrtf(s.x);
    const float un = sqrtf(s.y);
    trust_ratio[t] = (pn > 0.f && un > 0.f) ? pn / un : 1.f;
  }
}

// Stage 2: p -= lr * trust_ratio * u, and refresh the bf16 copy used by the forward.
__global__ void __launch_bounds__(256)
lamb_stage2_kernel(LambTensorList tl, const float* __restrict__ trust_ratio, float lr) {
  const int t = tl.block_tensor[blockIdx.x];
  const int chunk = tl.block_chunk[blockIdx.x];
  const int begin = chunk * kChunk;
  const int end = min(begin + kChunk, tl.numel[t]);
  const float step = lr * trust_ratio[tl.tensor_id[t]];

  float* __restrict__ p = tl.param[t];
  const float* __restrict__ u = tl.grad[t];
  __nv_bfloat16* __restrict__ pb = tl.param_bf16[t];

  int i = begin + 2 * threadIdx.x;
  for (; i + 1 < end; i += 2 * blockDim.x) {
    float2 pv = *reinterpret_cast<const float2*>(p + i);
    const float2 uv = *reinterpret_cast<const float2*>(u + i);
    pv.x -= step * uv.x;
    pv.y -= step * uv.y;
    *reinterpret_cast<float2*>(p + i) = pv;
    *reinterpret_cast<__nv_bfloat162*>(pb + i) = __floats2bfloat162_rn(pv.x, pv.y);
  }
  if (i < end) {   // odd-sized tensor: the last element of the last chunk
    const float q = p[i] - step * u[i];
    p[i] = q;
    pb[i] = __float2bfloat16_rn(q);
  }
}

// ---------------------------------------------------------------------------------
// Inputs: dout [N, C], sorted_ids [N], sorted_pos [N]. Output: dweight [V, C] (aliases input 3).
Status EmbeddingGradLaunch(OpContext& ctx) {
  const Tensor& dout = ctx.input(0);
  const int n = static_cast<int>(ctx.input(1).dim(0));
  const int C = static_cast<int>(dout.dim(1));
  Tensor* dweight = ctx.alias_input_to_output(/*input=*/3, /*output=*/0);
  if (dweight == nullptr) return Status::InvalidArgument("EmbeddingGrad: dweight must be forwardable");
  if (n == 0) return Status::Ok();

  constexpr int kThreads = 256;
  const unsigned grid = static_cast<unsigned>(((size_t)n * 32 + kThreads - 1) / kThreads);
  cudaStream_t stream = ctx.stream();
  const float* d = dout.data<float>();
  const int32_t* ids = ctx.input(1).data<int32_t>();
  const int32_t* pos = ctx.input(2).data<int32_t>();
  float* dw = dweight->data<float>();

  switch (C) {
    case 512:  embedding_bwd_sorted_kernel<4><<<grid, kThreads, 0, stream>>>(d, ids, pos, dw, n); break;
    case 768:  embedding_bwd_sorted_kernel<6><<<grid, kThreads, 0, stream>>>(d, ids, pos, dw, n); break;
    case 1024: embedding_bwd_sorted_kernel<8><<<grid, kThreads, 0, stream>>>(d, ids, pos, dw, n); break;
    default: return Status::Unimplemented("EmbeddingGrad: unsupported embedding width");
  }
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  return Status::Ok();
}

// Lists: params, grads, exp_avg, exp_avg_sq, params_bf16. Attrs: lr, betas, eps, wd, step, loss_scale.
Status LambStepLaunch(OpContext& ctx) {
  const auto& params = ctx.list("params");
  const auto& grads = ctx.list("grads");
  const auto& m = ctx.list("exp_avg");
  const auto& v = ctx.list("exp_avg_sq");
  const auto& pbf = ctx.list("params_bf16");
  const int T = static_cast<int>(params.size());
  if (T == 0) return Status::Ok();

  LambHyper hp;
  hp.beta1 = ctx.attr_f("beta1");
  hp.beta2 = ctx.attr_f("beta2");
  hp.eps = ctx.attr_f("eps");
  hp.weight_decay = ctx.attr_f("weight_decay");
  const int step = ctx.attr_i("step");
  hp.inv_bias_corr1 = 1.f / (1.f - std::pow(hp.beta1, (float)step));
  hp.inv_bias_corr2 = 1.f / (1.f - std::pow(hp.beta2, (float)step));
  hp.inv_loss_scale = 1.f / ctx.attr_f("loss_scale");
  const float lr = ctx.attr_f("lr");

  std::vector<int> chunk_offsets(T + 1, 0);
  for (int t = 0; t < T; ++t) {
    const int64_t numel = params[t]->numel();
    chunk_offsets[t + 1] = chunk_offsets[t] + static_cast<int>((numel + kChunk - 1) / kChunk);
  }
  const int total_chunks = chunk_offsets[T];

  char* ws = static_cast<char*>(ctx.scratch(total_chunks * sizeof(float2) + (T + 1) * sizeof(int) +
                                            T * sizeof(float) + 256));
  float2* chunk_sq = reinterpret_cast<float2*>(ws);
  int* d_offsets = reinterpret_cast<int*>(chunk_sq + total_chunks);
  float* trust = reinterpret_cast<float*>(d_offsets + T + 1);

  cudaStream_t stream = ctx.stream();
  K5_RETURN_IF_CUDA_ERROR(cudaMemcpyAsync(d_offsets, chunk_offsets.data(), (T + 1) * sizeof(int),
                                          cudaMemcpyHostToDevice, stream));

  // Pack (tensor, chunk) items into launches of at most kMaxTensors / kMaxBlocks.
  std::vector<LambTensorList> launches;
  std::vector<int> launch_blocks;
  LambTensorList cur{};
  int nt = 0, nb = 0;
  for (int t = 0; t < T; ++t) {
    cur.param[nt] = params[t]->data<float>();
    cur.grad[nt] = grads[t]->data<float>();
    cur.exp_avg[nt] = m[t]->data<float>();
    cur.exp_avg_sq[nt] = v[t]->data<float>();
    cur.param_bf16[nt] = pbf[t]->data<__nv_bfloat16>();
    cur.numel[nt] = static_cast<int>(params[t]->numel());
    cur.tensor_id[nt] = t;
    cur.chunk_base[nt] = chunk_offsets[t];
    const int chunks = chunk_offsets[t + 1] - chunk_offsets[t];
    for (int c = 0; c < chunks; ++c) {
      cur.block_tensor[nb] = static_cast<unsigned char>(nt);
      cur.block_chunk[nb] = c;
      if (++nb == kMaxBlocks) {
        launches.push_back(cur);
        launch_blocks.push_back(nb);
        nb = 0;
        // The tensor may continue in the next launch: carry it over as slot 0.
        cur.param[0] = cur.param[nt]; cur.grad[0] = cur.grad[nt];
        cur.exp_avg[0] = cur.exp_avg[nt]; cur.exp_avg_sq[0] = cur.exp_avg_sq[nt];
        cur.param_bf16[0] = cur.param_bf16[nt]; cur.numel[0] = cur.numel[nt];
        cur.tensor_id[0] = cur.tensor_id[nt]; cur.chunk_base[0] = cur.chunk_base[nt];
        nt = 0;
      }
    }
    if (nb > 0 && ++nt == kMaxTensors) {
      launches.push_back(cur);
      launch_blocks.push_back(nb);
      nt = nb = 0;
    }
  }
  if (nb > 0) { launches.push_back(cur); launch_blocks.push_back(nb); }

  for (size_t l = 0; l < launches.size(); ++l)
    lamb_stage1_kernel<512><<<launch_blocks[l], 512, 0, stream>>>(launches[l], hp, chunk_sq);
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());

  lamb_trust_ratio_kernel<<<T, 128, 0, stream>>>(chunk_sq, d_offsets, trust);
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());

  for (size_t l = 0; l < launches.size(); ++l)
    lamb_stage2_kernel<<<launch_blocks[l], 256, 0, stream>>>(launches[l], trust, lr);
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  return Status::Ok();
}

}  // namespace

K5_REGISTER_OP("K5EmbeddingGrad", EmbeddingGradLaunch);
K5_REGISTER_OP("K5LambStep", LambStepLaunch);

}  // namespace k5

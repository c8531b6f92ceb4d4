// Training-path elementwise and loss ops (bf16 activations):
//   K5BiasDropoutResidual : out = residual + dropout(x + bias), keep-mask saved for backward
//   K5SoftmaxXentFwd      : per-row logsumexp and NLL over a padded vocabulary
//   K5SoftmaxXentBwd      : dlogits written over the logits buffer
//
// Dropout randomness comes from a counter-based generator (Philox-4x32, 10 rounds):
// the random word for element pack i depends only on (seed, offset, i), never on the
// launch configuration, so the same mask is reproduced by any grid.

#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cstdint>
#include <cmath>

#include "k5_op_registry.h"

namespace k5 {
namespace {

constexpr int kPack = 8;   // bf16 elements per 128-bit access

union __align__(16) Bf16x8 {
  uint4 u;
  __nv_bfloat16 h[kPack];
};

struct PhiloxKey { uint32_t k0, k1; };

__device__ __forceinline__ uint4 philox_round(uint4 c, PhiloxKey k) {
  constexpr uint32_t kMulA = 0xD2511F53u;
  constexpr uint32_t kMulB = 0xCD9E8D57u;
  const uint32_t hi_a = __umulhi(kMulA, c.x);
  const uint32_t lo_a = kMulA * c.x;
  const uint32_t hi_b = __umulhi(kMulB, c.z);
  const uint32_t lo_b = kMulB * c.z;
  return make_uint4(hi_b ^ c.y ^ k.k0, lo_b, hi_a ^ c.w ^ k.k1, lo_a);
}

__device__ __forceinline__ uint4 philox4x32_10(uint4 ctr, PhiloxKey key) {
  constexpr uint32_t kWeylA = 0x9E3779B9u;
  constexpr uint32_t kWeylB = 0xBB67AE85u;
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    ctr = philox_round(ctr, key);
    key.k0 += kWeylA;
    key.k1 += kWeylB;
  }
  return ctr;
}

// ---------------------------------------------------------------------------------
// Fused bias + dropout + residual. One thread handles one 8-element pack per step:
// a single Philox call yields 4 x 32 random bits, split into eight 16-bit draws.
template <bool kTraining>
__global__ void __launch_bounds__(256)
bias_dropout_residual_kernel(const __nv_bfloat16* __restrict__ x,         // [N, C] GEMM output, no bias
                             const __nv_bfloat16* __restrict__ bias,      // [C]
                             const __nv_bfloat16* __restrict__ residual,  // [N, C]
                             __nv_bfloat16* __restrict__ out,             // [N, C]
                             uint8_t* __restrict__ keep_mask,             // [N, C], training only
                             size_t n_packs, int c_packs, float keep_prob,
                             uint64_t seed, uint64_t offset) {
  const uint32_t keep_threshold = static_cast<uint32_t>(keep_prob * 65536.0f);
  const float inv_keep = 1.0f / keep_prob;
  const PhiloxKey key{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};

  const uint4* x4 = reinterpret_cast<const uint4*>(x);
  const uint4* r4 = reinterpret_cast<const uint4*>(residual);
  const uint4* b4 = reinterpret_cast<const uint4*>(bias);
  uint4* o4 = reinterpret_cast<uint4*>(out);

  for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n_packs;
       i += (size_t)gridDim.x * blockDim.x) {
    Bf16x8 xv, rv, bv, ov;
    xv.u = x4[i];
    rv.u = r4[i];
    bv.u = __ldg(b4 + (i % c_packs));

    uint32_t rnd[4] = {0u, 0u, 0u, 0u};
    if constexpr (kTraining) {
      const uint4 r = philox4x32_10(
          make_uint4(static_cast<uint32_t>(i), static_cast<uint32_t>(i >> 32),
                     static_cast<uint32_t>(offset), static_cast<uint32_t>(offset >> 32)),
          key);
      rnd[0] = r.x; rnd[1] = r.y; rnd[2] = r.z; rnd[3] = r.w;
    }

    uint8_t keep8[kPack];
#pragma unroll
    for (int j = 0; j < kPack; ++j) {
      float v = __bfloat162float(xv.h[j]) + __bfloat162float(bv.h[j]);
      if constexpr (kTraining) {
        const uint32_t draw = (rnd[j >> 1] >> ((j & 1) * 16)) & 0xFFFFu;
        const uint32_t keep = draw < keep_threshold;
        v *= static_cast<float>(keep) * inv_keep;   // mask as a multiply, no divergent branch
        keep8[j] = static_cast<uint8_t>(keep);
      }
      v += __bfloat162float(rv.h[j]);
      // Plain round-to-nearest: the Philox bits above are spent on the mask only.
      ov.h[j] = __float2bfloat16_rn(v);
    }
    o4[i] = ov.u;

    if constexpr (kTraining) {
      uint2 m;
      m.x = keep8[0] | (keep8[1] << 8) | (keep8[2] << 16) | (uint32_t(keep8[3]) << 24);
      m.y = keep8[4] | (keep8[5] << 8) | (keep8[6] << 16) | (uint32_t(keep8[7]) << 24);
      reinterpret_cast<uint2*>(keep_mask)[i] = m;
    }
  }
}

// ---------------------------------------------------------------------------------
// (max, sum-of-exp) pairs, merged so that each logit is read exactly once.
struct MaxSum { float m, s; };

__device__ __forceinline__ MaxSum merge(MaxSum a, MaxSum b) {
  const float m = fmaxf(a.m, b.m);
  if (m == -INFINITY) return a;
  return {m, a.s * __expf(a.m - m) + b.s * __expf(b.m - m)};
}

__device__ __forceinline__ MaxSum warp_merge(MaxSum v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    MaxSum other{__shfl_xor_sync(0xffffffffu, v.m, o), __shfl_xor_sync(0xffffffffu, v.s, o)};
    v = merge(v, other);
  }
  return v;
}

template <int kThreads>
__global__ void __launch_bounds__(kThreads)
softmax_xent_fwd_kernel(const __nv_bfloat16* __restrict__ logits,  // [N, Vp]
                        const int32_t* __restrict__ targets,       // [N], < 0 means ignore
                        float* __restrict__ row_lse,               // [N], consumed by backward
                        float* __restrict__ row_loss,              // [N]
                        float* __restrict__ loss_sum,              // scalar, zeroed by host
                        int V, int Vp) {
  constexpr int kWarps = kThreads / 32;
  __shared__ MaxSum s_part[kWarps];

  const int row = blockIdx.x;
  const __nv_bfloat16* lr = logits + (size_t)row * Vp;

  MaxSum acc{-INFINITY, 0.f};
  for (int c = threadIdx.x; c < V; c += kThreads) {
    const float v = __bfloat162float(lr[c]);
    if (v > acc.m) {
      acc.s = acc.s * __expf(acc.m - v) + 1.f;
      acc.m = v;
    } else {
      acc.s += __expf(v - acc.m);
    }
  }

  acc = warp_merge(acc);
  const int lane = threadIdx.x & 31;
  const int wid = threadIdx.x >> 5;
  if (lane == 0) s_part[wid] = acc;
  __syncthreads();
  if (wid == 0) {
    acc = lane < kWarps ? s_part[lane] : MaxSum{-INFINITY, 0.f};
    acc = warp_merge(acc);
    if (lane == 0) {
      const float lse = acc.m + __logf(acc.s);
      const int t = targets[row];
      const float loss = t >= 0 ? lse - __bfloat162float(lr[t]) : 0.f;
      row_lse[row] = lse;
      row_loss[row] = loss;
      // One update per row; the order rows land in is whatever the scheduler picks.
      atomicAdd(loss_sum, loss);
    }
  }
}

// ---------------------------------------------------------------------------------
// dlogits = (softmax(logits) - onehot(target)) * dloss * grad_scale, written in place.
// Probabilities are rebuilt from the logits and the saved logsumexp, not stored by the
// forward. The row is split into a check-free body over whole packs below V and a
// short tail that also zeroes the padding columns [V, Vp).
__global__ void __launch_bounds__(512)
softmax_xent_bwd_kernel(__nv_bfloat16* __restrict__ logits_grad,  // [N, Vp] in: logits, out: dlogits
                        const float* __restrict__ row_lse,
                        const int32_t* __restrict__ targets,
                        const float* __restrict__ dloss,           // scalar upstream gradient
                        float grad_scale, int V, int Vp) {
  const int row = blockIdx.x;
  const int t = targets[row];
  const float scale = t >= 0 ? dloss[0] * grad_scale : 0.f;
  const float lse = row_lse[row];
  uint4* rp = reinterpret_cast<uint4*>(logits_grad + (size_t)row * Vp);

  const int body = V / kPack;
  for (int i = threadIdx.x; i < body; i += blockDim.x) {
    Bf16x8 v;
    v.u = __ldcs(rp + i);   // streamed: each logit is read once and overwritten
#pragma unroll
    for (int j = 0; j < kPack; ++j) {
      const int c = i * kPack + j;
      const float p = __expf(__bfloat162float(v.h[j]) - lse);
      v.h[j] = __float2bfloat16_rn((p - (c == t ? 1.f : 0.f)) * scale);
    }
    __stcs(rp + i, v.u);
  }

  const int packs = Vp / kPack;
  for (int i = body + threadIdx.x; i < packs; i += blockDim.x) {
    Bf16x8 v;
    v.u = rp[i];
#pragma unroll
    for (int j = 0; j < kPack; ++j) {
      const int c = i * kPack + j;
      float g = 0.f;
      if (c < V) g = (__expf(__bfloat162float(v.h[j]) - lse) - (c == t ? 1.f : 0.f)) * scale;
      v.h[j] = __float2bfloat16_rn(g);
    }
    rp[i] = v.u;
  }
}

// ---------------------------------------------------------------------------------
unsigned grid_for(size_t work, int threads) {
  const size_t blocks = (work + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 65535 ? blocks : 65535);
}

// Inputs: x, bias, residual. Outputs: out, keep_mask. Attr: p_drop, training.
Status BiasDropoutResidualLaunch(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& bias = ctx.input(1);
  const Tensor& residual = ctx.input(2);
  Tensor* out = ctx.output(0);
  Tensor* mask = ctx.output(1);
  const float p_drop = ctx.attr_f("p_drop");
  const bool training = ctx.attr_i("training") != 0;

  const int C = static_cast<int>(bias.dim(0));
  if (C % kPack != 0) return Status::InvalidArgument("BiasDropoutResidual: C must be a multiple of 8");
  const size_t n_packs = static_cast<size_t>(x.numel()) / kPack;
  if (n_packs == 0) return Status::Ok();

  cudaStream_t stream = ctx.stream();
  constexpr int kThreads = 256;
  const unsigned grid = grid_for(n_packs, kThreads);

  if (training && p_drop > 0.f) {
    uint64_t seed = 0, offset = 0;
    // One Philox counter per pack, so the framework's offset advances by 1 per call.
    ctx.philox_seed_offset(/*increment=*/1, &seed, &offset);
    bias_dropout_residual_kernel<true><<<grid, kThreads, 0, stream>>>(
        x.data<__nv_bfloat16>(), bias.data<__nv_bfloat16>(), residual.data<__nv_bfloat16>(),
        out->data<__nv_bfloat16>(), mask->data<uint8_t>(), n_packs, C / kPack,
        1.f - p_drop, seed, offset);
  } else {
    bias_dropout_residual_kernel<false><<<grid, kThreads, 0, stream>>>(
        x.data<__nv_bfloat16>(), bias.data<__nv_bfloat16>(), residual.data<__nv_bfloat16>(),
        out->data<__nv_bfloat16>(), nullptr, n_packs, C / kPack, 1.f, 0, 0);
  }
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  return Status::Ok();
}

// Inputs: logits [N, Vp], targets [N]. Outputs: lse [N], loss [N], loss_sum []. Attr: vocab.
Status SoftmaxXentFwdLaunch(OpContext& ctx) {
  const Tensor& logits = ctx.input(0);
  const Tensor& targets = ctx.input(1);
  const int N = static_cast<int>(logits.dim(0));
  const int Vp = static_cast<int>(logits.dim(1));
  const int V = ctx.attr_i("vocab");
  if (V > Vp) return Status::InvalidArgument("SoftmaxXentFwd: vocab larger than padded width");

  cudaStream_t stream = ctx.stream();
  float* loss_sum = ctx.output(2)->data<float>();
  K5_RETURN_IF_CUDA_ERROR(cudaMemsetAsync(loss_sum, 0, sizeof(float), stream));
  if (N == 0) return Status::Ok();

  softmax_xent_fwd_kernel<1024><<<N, 1024, 0, stream>>>(
      logits.data<__nv_bfloat16>(), targets.data<int32_t>(), ctx.output(0)->data<float>(),
      ctx.output(1)->data<float>(), loss_sum, V, Vp);
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  return Status::Ok();
}

// Inputs: logits [N, Vp] (consumed), lse [N], targets [N], dloss []. Output: dlogits (aliases logits).
Status SoftmaxXentBwdLaunch(OpContext& ctx) {
  Tensor* dlogits = ctx.alias_input_to_output(/*input=*/0, /*output=*/0);
  if (dlogits == nullptr) return Status::InvalidArgument("SoftmaxXentBwd: logits buffer not forwardable");
  const int N = static_cast<int>(dlogits->dim(0));
  const int Vp = static_cast<int>(dlogits->dim(1));
  const int V = ctx.attr_i("vocab");
  const float grad_scale = ctx.attr_f("grad_scale");   // 1/N for a mean loss, times loss scale
  if (Vp % kPack != 0) return Status::InvalidArgument("SoftmaxXentBwd: padded vocab must be a multiple of 8");
  if (N == 0) return Status::Ok();

  softmax_xent_bwd_kernel<<<N, 512, 0, ctx.stream()>>>(
      dlogits->data<__nv_bfloat16>(), ctx.input(1).data<float>(), ctx.input(2).data<int32_t>(),
      ctx.input(3).data<float>(), grad_scale, V, Vp);
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  return Status::Ok();
}

}  // namespace

K5_REGISTER_OP("K5BiasDropoutResidual", BiasDropoutResidualLaunch);
K5_REGISTER_OP("K5SoftmaxXentFwd", SoftmaxXentFwdLaunch);
K5_REGISTER_OP("K5SoftmaxXentBwd", SoftmaxXentBwdLaunch);

}  // namespace k5

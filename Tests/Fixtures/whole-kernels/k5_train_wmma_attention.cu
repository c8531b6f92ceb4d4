// Tensor-core linear layer with a fused bias(+GELU) epilogue, and a causal attention
// forward that never materialises the T x T score matrix. fp16 storage, fp32 math.
//
//   K5LinearBiasAct  : Y[M,N] = act(X[M,K] * W[N,K]^T + b[N])   (WMMA, cp.async double buffer)
//   K5CausalAttention: qkv [B,T,3,H,D] -> O [B,T,H,D], LSE [B,H,T]

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <mma.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "k5_op_registry.h"

namespace k5 {
namespace {

using namespace nvcuda;

// ---------------------------------------------------------------------------------
// GEMM tile configuration: 8 warps as 2 (M) x 4 (N), each warp owns a 64x32 output
// tile held as 4x2 WMMA accumulator fragments.
constexpr int kBM = 128, kBN = 128, kBK = 32;
constexpr int kGemmThreads = 256;
constexpr int kWarpM = 64, kWarpN = 32;
constexpr int kFragM = kWarpM / 16, kFragN = kWarpN / 16;
// +8 halves per smem row (80-byte row stride): 8 consecutive rows land in 8 distinct
// 16-byte bank groups, so the fragment loads of 8 rows are conflict-free.
constexpr int kLdAB = kBK + 8;
// +4 floats for the fp32 staging tile read back in the epilogue, same reason.
constexpr int kLdC = kBN + 4;
constexpr int kStageHalves = (kBM + kBN) * kLdAB;
constexpr size_t kGemmSmemBytes =
    (2 * kStageHalves * sizeof(half) > kBM * kLdC * sizeof(float))
        ? 2 * kStageHalves * sizeof(half) : kBM * kLdC * sizeof(float);   // 67,584 B

union __align__(16) Half8 {
  uint4 u;
  __half2 h2[4];
};

__device__ __forceinline__ void cp_async_16(void* smem_dst, const void* gmem_src) {
  const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem_dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(gmem_src));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

// x * sigmoid(2z) == 0.5 * x * (1 + tanh(z)): one exp and one divide instead of tanhf.
__device__ __forceinline__ float gelu_tanh(float x) {
  const float z2 = -1.5957691216f * x * fmaf(0.044715f, x * x, 1.f);
  return __fdividef(x, 1.f + __expf(z2));
}

__device__ __forceinline__ void load_tile_async(half* sA, half* sB, const half* __restrict__ X,
                                                const half* __restrict__ W, int m0, int n0,
                                                int k0, int K) {
  // 128 rows x 32 halves = 512 16-byte chunks per operand, two per thread.
#pragma unroll
  for (int it = 0; it < 2; ++it) {
    const int c = threadIdx.x + it * kGemmThreads;
    const int row = c >> 2;
    const int col = (c & 3) * 8;
    cp_async_16(sA + row * kLdAB + col, X + (size_t)(m0 + row) * K + k0 + col);
    cp_async_16(sB + row * kLdAB + col, W + (size_t)(n0 + row) * K + k0 + col);
  }
}

template <bool kGelu>
__global__ void __launch_bounds__(kGemmThreads)
wmma_linear_bias_act_kernel(const half* __restrict__ X, const half* __restrict__ W,
                            const half* __restrict__ bias, half* __restrict__ Y,
                            int M, int N, int K) {
  extern __shared__ __align__(128) unsigned char smem_raw[];
  half* smem = reinterpret_cast<half*>(smem_raw);

  const int m0 = blockIdx.y * kBM;
  const int n0 = blockIdx.x * kBN;
  const int warp = threadIdx.x >> 5;
  const int wm = warp / (kBN / kWarpN);
  const int wn = warp % (kBN / kWarpN);

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[kFragM][kFragN];
#pragma unroll
  for (int i = 0; i < kFragM; ++i)
#pragma unroll
    for (int j = 0; j < kFragN; ++j) wmma::fill_fragment(acc[i][j], 0.f);

  const int num_k = K / kBK;
  load_tile_async(smem, smem + kBM * kLdAB, X, W, m0, n0, 0, K);
  cp_async_commit();

  for (int kt = 0; kt < num_k; ++kt) {
    // Put tile kt+1 in flight before touching tile kt so its copy latency is
    // covered by this iteration's MMAs.
    if (kt + 1 < num_k) {
      half* nxt = smem + ((kt + 1) & 1) * kStageHalves;
      load_tile_async(nxt, nxt + kBM * kLdAB, X, W, m0, n0, (kt + 1) * kBK, K);
    }
    cp_async_commit();
    cp_async_wait<1>();
    __syncthreads();

    const half* sA = smem + (kt & 1) * kStageHalves;
    const half* sB = sA + kBM * kLdAB;
#pragma unroll
    for (int kk = 0; kk < kBK; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> a[kFragM];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::col_major> b[kFragN];
#pragma unroll
      for (int i = 0; i < kFragM; ++i)
        wmma::load_matrix_sync(a[i], sA + (wm * kWarpM + i * 16) * kLdAB + kk, kLdAB);
#pragma unroll
      for (int j = 0; j < kFragN; ++j)
        wmma::load_matrix_sync(b[j], sB + (wn * kWarpN + j * 16) * kLdAB + kk, kLdAB);
#pragma unroll
      for (int i = 0; i < kFragM; ++i)
#pragma unroll
        for (int j = 0; j < kFragN; ++j) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
    }
    __syncthreads();   // this stage is the copy target of the next iteration
  }
  cp_async_wait<0>();

  // Epilogue: stage the fp32 tile in (reused) shared memory, then bias + activation
  // and 16-byte stores of 8 halves.
  float* sC = reinterpret_cast<float*>(smem_raw);
#pragma unroll
  for (int i = 0; i < kFragM; ++i)
#pragma unroll
    for (int j = 0; j < kFragN; ++j)
      wmma::store_matrix_sync(sC + (wm * kWarpM + i * 16) * kLdC + wn * kWarpN + j * 16,
                              acc[i][j], kLdC, wmma::mem_row_major);
  __syncthreads();

  for (int idx = threadIdx.x; idx < kBM * kBN / 8; idx += kGemmThreads) {
    const int r = idx / (kBN / 8);
    const int c = (idx % (kBN / 8)) * 8;
    const float4 lo = *reinterpret_cast<const float4*>(sC + r * kLdC + c);
    const float4 hi = *reinterpret_cast<const float4*>(sC + r * kLdC + c + 4);
    Half8 bv, out;
    bv.u = __ldg(reinterpret_cast<const uint4*>(bias + n0 + c));
    const float v[8] = {lo.x, lo.y, lo.z, lo.w, hi.x, hi.y, hi.z, hi.w};
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const float2 b2 = __half22float2(bv.h2[q]);
      float y0 = v[2 * q] + b2.x;
      float y1 = v[2 * q + 1] + b2.y;
      if constexpr (kGelu) { y0 = gelu_tanh(y0); y1 = gelu_tanh(y1); }
      out.h2[q] = __floats2half2_rn(y0, y1);
    }
    *reinterpret_cast<uint4*>(Y + (size_t)(m0 + r) * N + n0 + c) = out.u;
  }
}

// ---------------------------------------------------------------------------------
// [B, T, 3, H, D] -> three [B, H, T, D] tensors, 8 halves per thread per step.
__global__ void __launch_bounds__(256)
qkv_split_heads_kernel(const half* __restrict__ qkv, half* __restrict__ q, half* __restrict__ k,
                       half* __restrict__ v, int B, int T, int H, int D) {
  const int d8 = D / 8;
  const size_t total = (size_t)B * T * 3 * H * d8;
  for (size_t p = (size_t)blockIdx.x * blockDim.x + threadIdx.x; p < total;
       p += (size_t)gridDim.x * blockDim.x) {
    size_t rest = p;
    const int c = static_cast<int>(rest % d8); rest /= d8;
    const int h = static_cast<int>(rest % H);  rest /= H;
    const int which = static_cast<int>(rest % 3); rest /= 3;
    const int t = static_cast<int>(rest % T);
    const int b = static_cast<int>(rest / T);
    const uint4 val = reinterpret_cast<const uint4*>(qkv)[p];
    half* dst = which == 0 ? q : (which == 1 ? k : v);
    reinterpret_cast<uint4*>(dst + (((size_t)b * H + h) * T + t) * D)[c] = val;
  }
}

// ---------------------------------------------------------------------------------
// Causal attention forward. One thread per query row; K/V tiles of kBc keys are staged
// in shared memory and shared by the kBr rows of the block. Running (max, sum) per row
// with the output accumulator rescaled once per key tile.
template <int kHeadDim, int kBr, int kBc>
__global__ void __launch_bounds__(kBr)
causal_attention_fwd_kernel(const half* __restrict__ Q, const half* __restrict__ Kt,
                            const half* __restrict__ Vt, half* __restrict__ O,
                            float* __restrict__ lse, int T, int H, float scale) {
  __shared__ __align__(16) half sK[kBc][kHeadDim];
  __shared__ __align__(16) half sV[kBc][kHeadDim];

  // Last query tiles have the most key tiles below the diagonal: hand them out first
  // so the long blocks are not the ones left running at the end of the grid.
  const int q_tile = gridDim.x - 1 - blockIdx.x;
  const int bh = blockIdx.y;
  const int row = q_tile * kBr + threadIdx.x;
  const size_t head_off = (size_t)bh * T * kHeadDim;
  const bool active = row < T;

  // The query row is read once and kept in registers for every key, softmax scale
  // already applied so the inner loop is a bare dot product.
  float qr[kHeadDim], acc[kHeadDim];
#pragma unroll
  for (int d = 0; d < kHeadDim; d += 8) {
    Half8 h8;
    h8.u = active ? *reinterpret_cast<const uint4*>(Q + head_off + (size_t)row * kHeadDim + d)
                  : make_uint4(0u, 0u, 0u, 0u);
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const float2 f = __half22float2(h8.h2[e]);
      qr[d + 2 * e] = f.x * scale;
      qr[d + 2 * e + 1] = f.y * scale;
    }
  }
#pragma unroll
  for (int d = 0; d < kHeadDim; ++d) acc[d] = 0.f;
  float m = -INFINITY, l = 0.f;

  // Key tiles entirely above the diagonal are masked out for every row of this block:
  // the loop stops at the tile holding the block's last row instead of running to T.
  const int last_kv_tile = min((q_tile * kBr + kBr - 1) / kBc, (T - 1) / kBc);
  for (int kt = 0; kt <= last_kv_tile; ++kt) {
    __syncthreads();   // previous tile fully consumed
    for (int idx = threadIdx.x; idx < kBc * kHeadDim / 8; idx += kBr) {
      const int r = idx / (kHeadDim / 8);
      const int c = (idx % (kHeadDim / 8)) * 8;
      const int key = kt * kBc + r;
      uint4 kv = make_uint4(0u, 0u, 0u, 0u), vv = kv;
      if (key < T) {
        kv = *reinterpret_cast<const uint4*>(Kt + head_off + (size_t)key * kHeadDim + c);
        vv = *reinterpret_cast<const uint4*>(Vt + head_off + (size_t)key * kHeadDim + c);
      }
      *reinterpret_cast<uint4*>(&sK[r][c]) = kv;
      *reinterpret_cast<uint4*>(&sV[r][c]) = vv;
    }
    __syncthreads();
    if (!active) continue;

    float s[kBc];
    float tile_max = -INFINITY;
#pragma unroll
    for (int j = 0; j < kBc; ++j) {
      float dot = 0.f;
#pragma unroll
      for (int d = 0; d < kHeadDim; d += 2) {
        const float2 kf = __half22float2(*reinterpret_cast<const __half2*>(&sK[j][d]));
        dot = fmaf(qr[d], kf.x, fmaf(qr[d + 1], kf.y, dot));
      }
      s[j] = (kt * kBc + j <= row) ? dot : -INFINITY;
      tile_max = fmaxf(tile_max, s[j]);
    }

    const float m_new = fmaxf(m, tile_max);
    const float corr = __expf(m - m_new);
    l *= corr;
#pragma unroll
    for (int d = 0; d < kHeadDim; ++d) acc[d] *= corr;
#pragma unroll
    for (int j = 0; j < kBc; ++j) {
      const float p = __expf(s[j] - m_new);
      l += p;
#pragma unroll
      for (int d = 0; d < kHeadDim; d += 2) {
        const float2 vf = __half22float2(*reinterpret_cast<const __half2*>(&sV[j][d]));
        acc[d] = fmaf(p, vf.x, acc[d]);
        acc[d + 1] = fmaf(p, vf.y, acc[d + 1]);
      }
    }
    m = m_new;
  }

  if (!active) return;
  const int b = bh / H, h = bh % H;
  const float inv_l = 1.f / l;
  half* orow = O + (((size_t)b * T + row) * H + h) * kHeadDim;
#pragma unroll
  for (int d = 0; d < kHeadDim; d += 8) {
    Half8 out;
#pragma unroll
    for (int e = 0; e < 4; ++e)
      out.h2[e] = __floats2half2_rn(acc[d + 2 * e] * inv_l, acc[d + 2 * e + 1] * inv_l);
    *reinterpret_cast<uint4*>(orow + d) = out.u;
  }
  lse[(size_t)bh * T + row] = m + __logf(l);
}

// ---------------------------------------------------------------------------------
template <bool kGelu>
cudaError_t launch_linear(const half* X, const half* W, const half* b, half* Y, int M, int N,
                          int K, cudaStream_t stream) {
  static const cudaError_t attr_status = cudaFuncSetAttribute(
      wmma_linear_bias_act_kernel<kGelu>, cudaFuncAttributeMaxDynamicSharedMemorySize,
      static_cast<int>(kGemmSmemBytes));
  if (attr_status != cudaSuccess) return attr_status;
  const dim3 grid(N / kBN, M / kBM);
  wmma_linear_bias_act_kernel<kGelu><<<grid, kGemmThreads, kGemmSmemBytes, stream>>>(X, W, b, Y, M, N, K);
  return cudaGetLastError();
}

// Inputs: X [M,K], W [N,K], b [N]. Output: Y [M,N]. Attr: activation ("gelu" | "none").
Status LinearBiasActLaunch(OpContext& ctx) {
  const Tensor& X = ctx.input(0);
  const Tensor& W = ctx.input(1);
  const int M = static_cast<int>(X.dim(0));
  const int K = static_cast<int>(X.dim(1));
  const int N = static_cast<int>(W.dim(0));
  // Shapes off the tile grid go back to the framework's own matmul + bias + act.
  if (M % kBM || N % kBN || K % kBK) return Status::Unimplemented("K5LinearBiasAct: untiled shape");

  const half* x = X.data<half>();
  const half* w = W.data<half>();
  const half* b = ctx.input(2).data<half>();
  half* y = ctx.output(0)->data<half>();
  const bool gelu = ctx.attr_s("activation") == "gelu";
  K5_RETURN_IF_CUDA_ERROR(gelu ? launch_linear<true>(x, w, b, y, M, N, K, ctx.stream())
                               : launch_linear<false>(x, w, b, y, M, N, K, ctx.stream()));
  return Status::Ok();
}

// Inputs: qkv [B,T,3*H*D]. Outputs: O [B,T,H*D], LSE [B,H,T]. Attr: heads.
Status CausalAttentionLaunch(OpContext& ctx) {
  constexpr int kD = 64, kBr = 64, kBc = 32;
  const Tensor& qkv = ctx.input(0);
  const int B = static_cast<int>(qkv.dim(0));
  const int T = static_cast<int>(qkv.dim(1));
  const int H = ctx.attr_i("heads");
  if (qkv.dim(2) != 3 * H * kD) return Status::Unimplemented("K5CausalAttention: head_dim must be 64");
  if (B == 0 || T == 0) return Status::Ok();

  cudaStream_t stream = ctx.stream();
  const size_t per = (size_t)B * H * T * kD;
  half* q = static_cast<half*>(ctx.scratch(3 * per * sizeof(half)));
  half* k = q + per;
  half* v = k + per;

  // Optional per-call timing, printed to stderr; blocks the host on each call.
  static const bool profile = std::getenv("K5_PROFILE_ATTN") != nullptr;
  cudaEvent_t ev_start = nullptr, ev_stop = nullptr;
  if (profile) {
    cudaEventCreate(&ev_start);
    cudaEventCreate(&ev_stop);
    cudaEventRecord(ev_start, stream);
  }

  const size_t packs = per * 3 / 8;
  const unsigned split_grid = static_cast<unsigned>(std::min<size_t>((packs + 255) / 256, 65535));
  qkv_split_heads_kernel<<<split_grid, 256, 0, stream>>>(qkv.data<half>(), q, k, v, B, T, H, kD);
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());

  const dim3 grid((T + kBr - 1) / kBr, B * H);
  causal_attention_fwd_kernel<kD, kBr, kBc><<<grid, kBr, 0, stream>>>(
      q, k, v, ctx.output(0)->data<half>(), ctx.output(1)->data<float>(), T, H,
      1.0f / std::sqrt(static_cast<float>(kD)));
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());

  if (profile) {
    cudaEventRecord(ev_stop, stream);
    cudaEventSynchronize(ev_stop);
    float ms = 0.f;
    cudaEventElapsedTime(&ms, ev_start, ev_stop);
    std::fprintf(stderr, "[k5] causal_attention B=%d T=%d H=%d: %.3f ms\n", B, T, H, ms);
    cudaEventDestroy(ev_start);
    cudaEventDestroy(ev_stop);
  }
  return Status::Ok();
}

}  // namespace

K5_REGISTER_OP("K5LinearBiasAct", LinearBiasActLaunch);
K5_REGISTER_OP("K5CausalAttention", CausalAttentionLaunch);

}  // namespace k5

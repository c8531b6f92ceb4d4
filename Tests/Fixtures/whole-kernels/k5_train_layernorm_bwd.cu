// LayerNorm backward (fp32 activations) for the K5 training ops.
//
// dx is produced row by row and added into the gradient already flowing along the
// residual stream. dgamma/dbeta use a two-stage reduction: stage 1 writes exactly
// one partial row per CTA, stage 2 folds those partial rows in a fixed order. No
// float atomics anywhere, so the parameter gradients are bitwise reproducible from
// run to run for a given grid size.

#include <cuda_runtime.h>
#include <algorithm>
#include <cstdint>

#include "k5_op_registry.h"

namespace k5 {
namespace {

constexpr int kWarp = 32;
constexpr int kRowsPerCta = 8;      // stage 1: warps per CTA, one row per warp at a time
constexpr int kFinalCols = 32;      // stage 2: columns per CTA
constexpr int kFinalSlices = 8;     // stage 2: partial rows folded in parallel per column
constexpr int kGenericThreads = 256;

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = kWarp / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Sums two values across the block. `red` must hold 2 * (blockDim.x / 32) floats.
__device__ __forceinline__ float2 block_sum2(float a, float b, float* red) {
  const int lane = threadIdx.x & (kWarp - 1);
  const int wid = threadIdx.x / kWarp;
  const int nwarps = blockDim.x / kWarp;
  a = warp_sum(a);
  b = warp_sum(b);
  if (lane == 0) { red[wid] = a; red[nwarps + wid] = b; }
  __syncthreads();
  a = lane < nwarps ? red[lane] : 0.f;
  b = lane < nwarps ? red[nwarps + lane] : 0.f;
  a = warp_sum(a);
  b = warp_sum(b);
  __syncthreads();   // red is reused by the next row
  return make_float2(a, b);
}

// Stage 1, specialised on the hidden size C = 64 * kPairs.
// Lane l owns column pairs l, l+32, ... so a warp load of a row is one contiguous
// 256-byte segment (coalesced). float2 rather than float4 keeps the per-lane arrays
// small enough for two CTAs per SM.
template <int kPairs>
__global__ void __launch_bounds__(kWarp * kRowsPerCta, 2)
ln_bwd_dx_partial_kernel(const float* __restrict__ x,
                         const float* __restrict__ dy,
                         const float* __restrict__ gamma,
                         const float* __restrict__ mean,
                         const float* __restrict__ rstd,
                         float* __restrict__ dresid,        // [rows, C] in: skip-path grad, out: + LN grad
                         float* __restrict__ part_dgamma,   // [gridDim.x, C]
                         float* __restrict__ part_dbeta,    // [gridDim.x, C]
                         int rows) {
  constexpr int C = 2 * kWarp * kPairs;
  const int lane = threadIdx.x;
  const int warp = threadIdx.y;

  // gamma is identical for every row this warp visits: load it once.
  float2 g[kPairs], dg[kPairs], db[kPairs];
#pragma unroll
  for (int p = 0; p < kPairs; ++p) {
    g[p] = reinterpret_cast<const float2*>(gamma)[lane + p * kWarp];
    dg[p] = make_float2(0.f, 0.f);
    db[p] = make_float2(0.f, 0.f);
  }

  constexpr float inv_c = 1.0f / C;
  for (int row = blockIdx.x * kRowsPerCta + warp; row < rows; row += gridDim.x * kRowsPerCta) {
    const float2* xr = reinterpret_cast<const float2*>(x + (size_t)row * C);
    const float2* dyr = reinterpret_cast<const float2*>(dy + (size_t)row * C);
    const float mu = mean[row];
    const float rs = rstd[row];

    // xhat is rebuilt from x and the saved (mean, rstd); the forward pass does not keep it.
    float2 xh[kPairs], dyv[kPairs];
    float s1 = 0.f, s2 = 0.f;
#pragma unroll
    for (int p = 0; p < kPairs; ++p) {
      const float2 xv = xr[lane + p * kWarp];
      dyv[p] = dyr[lane + p * kWarp];
      xh[p] = make_float2((xv.x - mu) * rs, (xv.y - mu) * rs);
      const float a = dyv[p].x * g[p].x;
      const float b = dyv[p].y * g[p].y;
      s1 += a + b;
      s2 += a * xh[p].x + b * xh[p].y;
      dg[p].x += dyv[p].x * xh[p].x;
      dg[p].y += dyv[p].y * xh[p].y;
      db[p].x += dyv[p].x;
      db[p].y += dyv[p].y;
    }
    // 1/C folded into both row sums once, so per element:
    //   dx = rstd * (dy*g - mean(dy*g) - xhat * mean(dy*g*xhat))
    s1 = warp_sum(s1) * inv_c;
    s2 = warp_sum(s2) * inv_c;

    float2* dr = reinterpret_cast<float2*>(dresid + (size_t)row * C);
#pragma unroll
    for (int p = 0; p < kPairs; ++p) {
      float2 acc = dr[lane + p * kWarp];
      acc.x += rs * (dyv[p].x * g[p].x - s1 - xh[p].x * s2);
      acc.y += rs * (dyv[p].y * g[p].y - s1 - xh[p].y * s2);
      dr[lane + p * kWarp] = acc;
    }
  }

  // Fold the kRowsPerCta warps' column partials through shared memory and write one
  // partial row per CTA. dgamma first, then dbeta through the same buffer.
  __shared__ float s_red[kRowsPerCta][C];
  const int tid = warp * kWarp + lane;
#pragma unroll
  for (int pass = 0; pass < 2; ++pass) {
#pragma unroll
    for (int p = 0; p < kPairs; ++p)
      reinterpret_cast<float2*>(s_red[warp])[lane + p * kWarp] = pass == 0 ? dg[p] : db[p];
    __syncthreads();
    float* dst = (pass == 0 ? part_dgamma : part_dbeta) + (size_t)blockIdx.x * C;
    for (int c = tid; c < C; c += kWarp * kRowsPerCta) {
      float s = 0.f;
#pragma unroll
      for (int w = 0; w < kRowsPerCta; ++w) s += s_red[w][c];
      dst[c] = s;
    }
    __syncthreads();
  }
}

// Stage 1 fallback for hidden sizes without a specialisation (768, 1024, odd sizes).
// One CTA per row at a time; each CTA keeps its dgamma/dbeta partials in a private
// shared-memory buffer across all of its rows and writes it out once at the end.
__global__ void __launch_bounds__(kGenericThreads)
ln_bwd_dx_partial_generic_kernel(const float* __restrict__ x,
                                 const float* __restrict__ dy,
                                 const float* __restrict__ gamma,
                                 const float* __restrict__ mean,
                                 const float* __restrict__ rstd,
                                 float* __restrict__ dresid,
                                 float* __restrict__ part_dgamma,
                                 float* __restrict__ part_dbeta,
                                 int rows, int C) {
  extern __shared__ float s_acc[];            // [2 * C]: dgamma partial, then dbeta partial
  __shared__ float s_red[2 * (kGenericThreads / kWarp)];
  float* s_dg = s_acc;
  float* s_db = s_acc + C;
  for (int c = threadIdx.x; c < C; c += blockDim.x) { s_dg[c] = 0.f; s_db[c] = 0.f; }
  // Each thread only ever touches its own columns of s_acc, so no barrier is needed here.

  const float inv_c = 1.0f / C;
  for (int row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* xr = x + (size_t)row * C;
    const float* dyr = dy + (size_t)row * C;
    const float mu = mean[row];
    const float rs = rstd[row];

    float s1 = 0.f, s2 = 0.f;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
      const float a = dyr[c] * gamma[c];
      s1 += a;
      s2 += a * (xr[c] - mu) * rs;
    }
    const float2 s = block_sum2(s1, s2, s_red);
    s1 = s.x * inv_c;
    s2 = s.y * inv_c;

    float* dr = dresid + (size_t)row * C;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
      const float d = dyr[c];
      const float xh = (xr[c] - mu) * rs;   // recomputed, second touch of x is an L2 hit
      dr[c] += rs * (d * gamma[c] - s1 - xh * s2);
      s_dg[c] += d * xh;
      s_db[c] += d;
    }
  }

  for (int c = threadIdx.x; c < C; c += blockDim.x) {
    part_dgamma[(size_t)blockIdx.x * C + c] = s_dg[c];
    part_dbeta[(size_t)blockIdx.x * C + c] = s_db[c];
  }
}

// Stage 2: fold the partial rows. threadIdx.x walks columns so each warp reads a
// contiguous 128-byte piece of one partial row (coalesced); threadIdx.y splits the
// partial rows into kFinalSlices interleaved sets which are then added in slice order.
__global__ void __launch_bounds__(kFinalCols * kFinalSlices)
ln_bwd_gamma_beta_final_kernel(const float* __restrict__ part_dgamma,
                               const float* __restrict__ part_dbeta,
                               int num_parts, int C,
                               float* __restrict__ dgamma,
                               float* __restrict__ dbeta) {
  __shared__ float s_g[kFinalSlices][kFinalCols];
  __shared__ float s_b[kFinalSlices][kFinalCols];

  const int col = blockIdx.x * kFinalCols + threadIdx.x;
  float g = 0.f, b = 0.f;
  if (col < C) {
    // num_parts is a few hundred at most; keep the loop rolled.
#pragma unroll 1
    for (int p = threadIdx.y; p < num_parts; p += kFinalSlices) {
      g += part_dgamma[(size_t)p * C + col];
      b += part_dbeta[(size_t)p * C + col];
    }
  }
  s_g[threadIdx.y][threadIdx.x] = g;
  s_b[threadIdx.y][threadIdx.x] = b;
  __syncthreads();

  if (threadIdx.y == 0 && col < C) {
    float tg = 0.f, tb = 0.f;
    for (int s = 0; s < kFinalSlices; ++s) {
      tg += s_g[s][threadIdx.x];
      tb += s_b[s][threadIdx.x];
    }
    dgamma[col] = tg;
    dbeta[col] = tb;
  }
}

template <int kPairs>
cudaError_t launch_specialised(const float* x, const float* dy, const float* gamma,
                               const float* mean, const float* rstd, float* dresid,
                               float* part_g, float* part_b, int rows, int grid,
                               cudaStream_t stream) {
  const dim3 block(kWarp, kRowsPerCta);
  ln_bwd_dx_partial_kernel<kPairs><<<grid, block, 0, stream>>>(
      x, dy, gamma, mean, rstd, dresid, part_g, part_b, rows);
  return cudaGetLastError();
}

template <int kPairs>
int resident_grid(const cudaDeviceProp& prop) {
  int per_sm = 0;
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, ln_bwd_dx_partial_kernel<kPairs>,
                                                kWarp * kRowsPerCta, 0);
  return std::max(1, per_sm) * prop.multiProcessorCount;
}

// Inputs: x, dy, gamma, mean, rstd, dresid.  Outputs: dx (aliases dresid), dgamma, dbeta.
Status LayerNormGradLaunch(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& dy = ctx.input(1);
  const Tensor& gamma = ctx.input(2);
  const Tensor& mean = ctx.input(3);
  const Tensor& rstd = ctx.input(4);
  // The framework hands the residual-gradient buffer back as output 0; the kernel
  // accumulates into it instead of allocating dx and running a separate add.
  Tensor* dx = ctx.alias_input_to_output(/*input=*/5, /*output=*/0);
  Tensor* dgamma = ctx.output(1);
  Tensor* dbeta = ctx.output(2);
  if (dx == nullptr) return Status::InvalidArgument("LayerNormGrad: dresid must be forwardable");

  const int rows = static_cast<int>(x.dim(0));
  const int C = static_cast<int>(x.dim(1));
  if (rows == 0) return Status::Ok();

  cudaStream_t stream = ctx.stream();
  const cudaDeviceProp& prop = ctx.device_prop();

  // Grid is sized to what is resident on the device, so the partial buffer has a small,
  // fixed number of rows independent of the batch size.
  int grid = 0;
  bool specialised = true;
  switch (C) {
    case 256: grid = resident_grid<4>(prop); break;
    case 512: grid = resident_grid<8>(prop); break;
    default: {
      specialised = false;
      int per_sm = 0;
      cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, ln_bwd_dx_partial_generic_kernel,
                                                    kGenericThreads, 2 * C * sizeof(float));
      grid = std::max(1, per_sm) * prop.multiProcessorCount;
    }
  }
  grid = std::min(grid, specialised ? (rows + kRowsPerCta - 1) / kRowsPerCta : rows);

  float* part = static_cast<float*>(ctx.scratch(2 * sizeof(float) * (size_t)grid * C));
  float* part_g = part;
  float* part_b = part + (size_t)grid * C;

  const float* xp = x.data<float>();
  const float* dyp = dy.data<float>();
  const float* gp = gamma.data<float>();
  const float* mp = mean.data<float>();
  const float* rp = rstd.data<float>();
  float* dxp = dx->data<float>();

  if (C == 256) {
    K5_RETURN_IF_CUDA_ERROR(launch_specialised<4>(xp, dyp, gp, mp, rp, dxp, part_g, part_b, rows, grid, stream));
  } else if (C == 512) {
    K5_RETURN_IF_CUDA_ERROR(launch_specialised<8>(xp, dyp, gp, mp, rp, dxp, part_g, part_b, rows, grid, stream));
  } else {
    const size_t smem = 2 * C * sizeof(float);
    if (smem > 48 * 1024) return Status::Unimplemented("LayerNormGrad: hidden size too large");
    ln_bwd_dx_partial_generic_kernel<<<grid, kGenericThreads, smem, stream>>>(
        xp, dyp, gp, mp, rp, dxp, part_g, part_b, rows, C);
    K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  }

  const dim3 fblock(kFinalCols, kFinalSlices);
  const dim3 fgrid((C + kFinalCols - 1) / kFinalCols);
  ln_bwd_gamma_beta_final_kernel<<<fgrid, fblock, 0, stream>>>(
      part_g, part_b, grid, C, dgamma->data<float>(), dbeta->data<float>());
  K5_RETURN_IF_CUDA_ERROR(cudaGetLastError());
  return Status::Ok();
}

}  // namespace

K5_REGISTER_OP("K5LayerNormGrad", LayerNormGradLaunch);

}  // namespace k5

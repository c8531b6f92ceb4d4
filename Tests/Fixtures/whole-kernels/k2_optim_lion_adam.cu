// Optimizer kernels for bf16 training:
//   - multi-tensor AdamW with fp32 master weights, bf16 params written with stochastic rounding
//   - Lion on bf16 params (no master copy)
//   - squared global grad norm for clipping
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cstdint>
#include <algorithm>
#include <vector>

namespace optim {

constexpr int kMaxTensorsPerLaunch = 36;

struct TensorList {
  float*          master[kMaxTensorsPerLaunch];
  __nv_bfloat16*  param[kMaxTensorsPerLaunch];
  const __nv_bfloat16* grad[kMaxTensorsPerLaunch];
  float*          exp_avg[kMaxTensorsPerLaunch];
  float*          exp_avg_sq[kMaxTensorsPerLaunch];
  int64_t         numel[kMaxTensorsPerLaunch];
};

struct AdamHyper {
  float lr, beta1, beta2, eps, weight_decay;
  float bias_corr1_inv, bias_corr2_inv;  // 1/(1-b1^t), 1/(1-b2^t), computed on the host once per step
};

namespace dev {

__device__ __forceinline__ uint32_t mix32(uint32_t h) {
  h ^= h >> 16; h *= 0x7feb352dU;
  h ^= h >> 15; h *= 0x846ca68bU;
  h ^= h >> 16;
  return h;
}

// start + w * (end - start) as two dependent FMAs: fma(w, end, fma(-w, start, start))
__device__ __forceinline__ float lerp_fma(float start, float end, float w) {
  return fmaf(w, end, fmaf(-w, start, start));
}

// add 16 random low bits before truncating to bf16: E[result] == x
__device__ __forceinline__ __nv_bfloat16 to_bf16_stochastic(float x, uint32_t rnd) {
  uint32_t bits = __float_as_uint(x);
  bits += (rnd & 0xFFFFu);
  bits &= 0xFFFF0000u;
  return __ushort_as_bfloat16(static_cast<unsigned short>(bits >> 16));
}

}  // namespace dev

// grid = (blocks_per_tensor, n_tensors); blockIdx.y selects the tensor.
__global__ void multi_tensor_adamw_sr_kernel(TensorList tl, AdamHyper hp,
                                             const float* __restrict__ inv_loss_scale,
                                             uint32_t seed, uint32_t step) {
  const int t = blockIdx.y;
  const int64_t n = tl.numel[t];
  float* master = tl.master[t];
  __nv_bfloat16* param = tl.param[t];
  const __nv_bfloat16* grad = tl.grad[t];
  float* m1 = tl.exp_avg[t];
  float* m2 = tl.exp_avg_sq[t];
  const float unscale = *inv_loss_scale;
  const uint32_t stream_id = dev::mix32(seed ^ (step * 0x9E3779B9u) ^ (uint32_t)t);

  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float g = __bfloat162float(grad[i]) * unscale;      // undo loss scaling
    const float m = dev::lerp_fma(g, m1[i], hp.beta1);        // b1*m + (1-b1)*g
    const float v = dev::lerp_fma(g * g, m2[i], hp.beta2);    // b2*v + (1-b2)*g^2
    m1[i] = m;
    m2[i] = v;
    const float denom = sqrtf(v * hp.bias_corr2_inv) + hp.eps;
    float w = master[i];
    w -= hp.lr * (__fdividef(m * hp.bias_corr1_inv, denom) + hp.weight_decay * w);
    master[i] = w;
    param[i] = dev::to_bf16_stochastic(w, dev::mix32(stream_id + (uint32_t)i));
  }
}

// Lion: c = b1*m + (1-b1)*g ; p -= lr*(sign(c) + wd*p) ; m = b2*m + (1-b2)*g
constexpr int kLionItems = 4;

__global__ void __launch_bounds__(256)
lion_step_bf16_kernel(__nv_bfloat16* __restrict__ params, const __nv_bfloat16* __restrict__ grads,
                      float* __restrict__ exp_avg, int64_t n, float lr, float beta1, float beta2,
                      float weight_decay) {
  const int64_t base = (int64_t)blockIdx.x * blockDim.x * kLionItems + threadIdx.x;
#pragma unroll
  for (int u = 0; u < kLionItems; ++u) {
    const int64_t i = base + (int64_t)u * blockDim.x;
    if (i < n) {
      const float g = __bfloat162float(grads[i]);
      const float m = exp_avg[i];
      const float c = beta1 * m + (1.f - beta1) * g;
      const float sgn = (c > 0.f) ? 1.f : ((c < 0.f) ? -1.f : 0.f);
      float p = __bfloat162float(params[i]);
      p -= lr * (sgn + weight_decay * p);
      // write back in the storage dtype (round-to-nearest-even)
      params[i] = __float2bfloat16_rn(p);
      exp_avg[i] = beta2 * m + (1.f - beta2) * g;
    }
  }
}

// sum(g^2) over one flat gradient buffer. Launched with a device-sized grid.
__global__ void grad_sq_norm_kernel(const __nv_bfloat16* __restrict__ g, int64_t n,
                                    float* __restrict__ out_sq) {
  __shared__ float warp_part[32];
  float acc = 0.f;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float x = __bfloat162float(g[i]);
    acc += x * x;
  }
  for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
  const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
  if (lane == 0) warp_part[wid] = acc;
  __syncthreads();
  if (wid == 0) {
    acc = (lane < (int)(blockDim.x >> 5)) ? warp_part[lane] : 0.f;
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
    // one float atomic per block; blocks arrive in any order
    if (lane == 0) atomicAdd(out_sq, acc);
  }
}

}  // namespace optim

struct OptimLaunchCtx {
  int sm_count;
  int adam_threads;
};

OptimLaunchCtx make_launch_ctx(int device) {
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, device);
  OptimLaunchCtx ctx;
  ctx.sm_count = prop.multiProcessorCount;
  // size the block so that 4 blocks fill an SM's thread slots
  ctx.adam_threads = std::min(512, prop.maxThreadsPerMultiProcessor / 4);
  return ctx;
}

void adamw_step_all(const OptimLaunchCtx& ctx, const std::vector<optim::TensorList>& chunks,
                    const std::vector<int>& tensors_per_chunk, int64_t max_numel,
                    const optim::AdamHyper& hp, const float* d_inv_scale, uint32_t seed,
                    uint32_t step, cudaStream_t s) {
  const int threads = ctx.adam_threads;
  const int bx = (int)std::min<int64_t>((max_numel + threads - 1) / threads, 1024);
  for (size_t c = 0; c < chunks.size(); ++c) {
    dim3 grid(bx, tensors_per_chunk[c]);
    optim::multi_tensor_adamw_sr_kernel<<<grid, threads, 0, s>>>(chunks[c], hp, d_inv_scale, seed, step);
  }
}

void lion_step(__nv_bfloat16* p, const __nv_bfloat16* g, float* m, int64_t n, float lr, float b1,
               float b2, float wd, cudaStream_t s) {
  const int threads = 256;
  const int64_t per_block = (int64_t)threads * optim::kLionItems;
  optim::lion_step_bf16_kernel<<<(unsigned)((n + per_block - 1) / per_block), threads, 0, s>>>(
      p, g, m, n, lr, b1, b2, wd);
}

void grad_sq_norm(const OptimLaunchCtx& ctx, const __nv_bfloat16* g, int64_t n, float* d_out,
                  cudaStream_t s) {
  cudaMemsetAsync(d_out, 0, sizeof(float), s);
  optim::grad_sq_norm_kernel<<<ctx.sm_count * 2, 512, 0, s>>>(g, n, d_out);
}

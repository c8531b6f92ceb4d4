// e3_mt_adamw.cu
// Multi-tensor AdamW with gradient-norm clipping for bf16 parameters with fp32 master weights,
// in the spirit of apex's multi_tensor_apply: one launch walks a whole list of tensors.
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cstdint>
#include <cstdio>
#include <vector>

constexpr int kMaxTensors = 24;
constexpr int kNormBlocks = 512;
constexpr int kNormThreads = 256;

struct TensorList {
    float* master[kMaxTensors];
    __nv_bfloat16* param[kMaxTensors];
    const __nv_bfloat16* grad[kMaxTensors];
    float* exp_avg[kMaxTensors];
    float* exp_avg_sq[kMaxTensors];
    int64_t numel[kMaxTensors];
};

// a + w*(b - a) with two FMAs and no subtraction of nearly equal numbers
__device__ __forceinline__ float lerp2(float a, float b, float w) { return fmaf(w, b, fmaf(-w, a, a)); }

__device__ __forceinline__ uint32_t hash_u32(uint32_t x) {
    x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
    return x;
}

// fp32 -> bf16 with stochastic rounding: add 16 random bits below the bf16 mantissa, then truncate.
__device__ __forceinline__ __nv_bfloat16 bf16_round_stochastic(float x, uint32_t rnd) {
    uint32_t bits = __float_as_uint(x);
    bits = (bits + (rnd & 0xFFFFu)) & 0xFFFF0000u;
    return __ushort_as_bfloat16((unsigned short)(bits >> 16));
}

__device__ __forceinline__ float block_sum(float v, float* scratch /* >= 32 floats */) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (lane == 0) scratch[wid] = v;
    __syncthreads();
    v = (threadIdx.x < (blockDim.x >> 5)) ? scratch[threadIdx.x] : 0.f;
    if (wid == 0)
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;   // valid in thread 0
}

// Squared L2 norm of all gradients -> clip coefficient.
// Every block writes its partial; the last block to arrive adds the partials in index order.
// No float atomics anywhere, so the clip coefficient is bitwise reproducible run to run.
__global__ void grad_norm_clip_coef(const __nv_bfloat16* const* __restrict__ grads,
                                    const int64_t* __restrict__ numels, int ntensors,
                                    float* __restrict__ partials, unsigned int* __restrict__ arrivals,
                                    float* __restrict__ clip_coef, float max_norm) {
    __shared__ float scratch[32];
    __shared__ bool is_last;
    float acc = 0.f;
    for (int t = 0; t < ntensors; ++t) {
        const __nv_bfloat16* g = grads[t];
        for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < numels[t];
             i += (int64_t)gridDim.x * blockDim.x) {
            float x = __bfloat162float(g[i]);
            acc += x * x;
        }
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = acc;
        __threadfence();
        unsigned int ticket = atomicAdd(arrivals, 1u);
        is_last = (ticket == gridDim.x - 1);
    }
    __syncthreads();
    if (!is_last) return;

    float total = 0.f;
    for (int i = threadIdx.x; i < gridDim.x; i += blockDim.x) total += partials[i];
    __syncthreads();                      // scratch is reused
    total = block_sum(total, scratch);
    if (threadIdx.x == 0) {
        float norm = sqrtf(total);
        *clip_coef = (norm > max_norm) ? max_norm / (norm + 1e-6f) : 1.f;
        *arrivals = 0;                    // ready for the next step
    }
}

// grad unscale/clip + AdamW + bf16 down-cast of the updated weights, in one pass.
// blockIdx.y selects the tensor; blockIdx.x/threadIdx.x stride over its elements.
template <bool kKeepMaster>
__global__ void __launch_bounds__(512)
mt_adamw_step(TensorList tl, const float* __restrict__ clip_coef, float lr, float beta1, float beta2,
              float eps, float weight_decay, float bias_corr1, float bias_corr2, uint32_t seed) {
    const int t = blockIdx.y;
    const int64_t n = tl.numel[t];
    // hoisted: read once per thread, used for every element below
    const float gscale = *clip_coef;
    const float step_size = lr / bias_corr1;
    const float inv_bc2 = 1.f / bias_corr2;
    float* m_ptr = tl.exp_avg[t];
    float* v_ptr = tl.exp_avg_sq[t];
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (int64_t)gridDim.x * blockDim.x) {
        float g = __bfloat162float(tl.grad[t][i]) * gscale;
        float m = lerp2(g, m_ptr[i], beta1);          // beta1*m + (1-beta1)*g
        float v = lerp2(g * g, v_ptr[i], beta2);      // beta2*v + (1-beta2)*g^2
        m_ptr[i] = m;
        v_ptr[i] = v;
        float p = kKeepMaster ? tl.master[t][i] : __bfloat162float(tl.param[t][i]);
        p -= step_size * m / (sqrtf(v * inv_bc2) + eps) + lr * weight_decay * p;
        if (kKeepMaster) tl.master[t][i] = p;
        tl.param[t][i] = bf16_round_stochastic(p, hash_u32(seed ^ (uint32_t)i ^ ((uint32_t)t << 24)));
    }
}

int main() {
    const int ntensors = 6;
    const int64_t sizes[ntensors] = {50257 * 768, 768, 768 * 2304, 2304, 768 * 768, 768};
    TensorList tl{};
    std::vector<const __nv_bfloat16*> h_grads(ntensors);
    int64_t max_numel = 0;
    for (int t = 0; t < ntensors; ++t) {
        cudaMalloc(&tl.master[t], sizes[t] * sizeof(float));
        cudaMalloc(&tl.param[t], sizes[t] * sizeof(__nv_bfloat16));
        __nv_bfloat16* g;
        cudaMalloc(&g, sizes[t] * sizeof(__nv_bfloat16));
        cudaMemset(g, 0, sizes[t] * sizeof(__nv_bfloat16));
        tl.grad[t] = g;
        h_grads[t] = g;
        cudaMalloc(&tl.exp_avg[t], sizes[t] * sizeof(float));
        cudaMalloc(&tl.exp_avg_sq[t], sizes[t] * sizeof(float));
        cudaMemset(tl.exp_avg[t], 0, sizes[t] * sizeof(float));
        cudaMemset(tl.exp_avg_sq[t], 0, sizes[t] * sizeof(float));
        tl.numel[t] = sizes[t];
        if (sizes[t] > max_numel) max_numel = sizes[t];
    }
    const __nv_bfloat16** d_grads;
    int64_t* d_numels;
    float *d_partials, *d_clip;
    unsigned int* d_arrivals;
    cudaMalloc(&d_grads, ntensors * sizeof(void*));
    cudaMalloc(&d_numels, ntensors * sizeof(int64_t));
    cudaMalloc(&d_partials, kNormBlocks * sizeof(float));
    cudaMalloc(&d_clip, sizeof(float));
    cudaMalloc(&d_arrivals, sizeof(unsigned int));
    cudaMemset(d_arrivals, 0, sizeof(unsigned int));
    cudaMemcpy(d_grads, h_grads.data(), ntensors * sizeof(void*), cudaMemcpyHostToDevice);
    cudaMemcpy(d_numels, sizes, ntensors * sizeof(int64_t), cudaMemcpyHostToDevice);

    grad_norm_clip_coef<<<kNormBlocks, kNormThreads>>>(d_grads, d_numels, ntensors, d_partials,
                                                       d_arrivals, d_clip, 1.0f);

    const int threads = 512;
    int64_t want = (max_numel + threads - 1) / threads;
    dim3 grid((unsigned)(want < 1024 ? want : 1024), ntensors);   // y: one slice per tensor
    const int step = 1;
    const float b1 = 0.9f, b2 = 0.95f;
    mt_adamw_step<true><<<grid, threads>>>(tl, d_clip, 6e-4f, b1, b2, 1e-8f, 0.1f,
                                           1.f - powf(b1, step), 1.f - powf(b2, step), 1234u + step);
    cudaError_t err = cudaDeviceSynchronize();
    printf("adamw step: %s\n", cudaGetErrorString(err));
    return err == cudaSuccess ? 0 : 1;
}

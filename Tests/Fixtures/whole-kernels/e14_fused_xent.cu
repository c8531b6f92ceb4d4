// e14_fused_xent.cu
// Classifier head of a GPT-2 trainer: softmax + cross-entropy loss + dlogits in one kernel,
// written over the logits buffer, followed by a deterministic mean of the per-token losses.
// Build: nvcc -O3 --use_fast_math -arch=sm_80 e14_fused_xent.cu
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cfloat>
#include <cstdio>

typedef __nv_bfloat16 floatX;

struct alignas(16) PackX {                     // 8 x bf16 = 128 bits
    floatX e[8];
};
__device__ __forceinline__ PackX ld_pack(const floatX* p) {
    int4 r = *reinterpret_cast<const int4*>(p); return *reinterpret_cast<PackX*>(&r);
}
__device__ __forceinline__ PackX ld_pack_last(const floatX* p) {
    int4 r = __ldcs(reinterpret_cast<const int4*>(p)); return *reinterpret_cast<PackX*>(&r);
}
__device__ __forceinline__ void st_pack_stream(floatX* p, const PackX& v) {
    __stcs(reinterpret_cast<int4*>(p), *reinterpret_cast<const int4*>(&v));
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

struct RowStats { float max; float inv_sum; };

// One pass over the row: per-thread running max with a rescaled running sum, then the
// (max, sum) pairs are merged across the warp and across warps.
// The loop walks the row backwards so that the forward-order gradient pass that follows starts
// on data this pass touched most recently (still in L2).
__device__ RowStats row_stats_online(const floatX* row, int V) {
    __shared__ float s_max[32], s_sum[32];
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
    float m = -FLT_MAX, s = 0.f;
    for (int i = V / 8 - 1 - threadIdx.x; i >= 0; i -= blockDim.x) {
        PackX p = ld_pack(row + 8 * i);
        for (int k = 0; k < 8; ++k) {
            const float v = __bfloat162float(p.e[k]);
            const float mn = fmaxf(m, v);
            s = s * expf(m - mn) + expf(v - mn);
            m = mn;
        }
    }
    float wm = warp_max(m);
    s = warp_sum(s * expf(m - wm));
    if (lane == 0) { s_max[wid] = wm; s_sum[wid] = s; }
    __syncthreads();
    float bm = -FLT_MAX;
    for (int w = 0; w < nw; ++w) bm = fmaxf(bm, s_max[w]);
    float bs = 0.f;
    for (int w = 0; w < nw; ++w) bs += s_sum[w] * expf(s_max[w] - bm);
    return {bm, 1.f / bs};
}

// logits: (BT, Vp) bf16, V real columns (V % 8 == 0). On exit the buffer holds dlogits.
__global__ void __launch_bounds__(1024, 1)
softmax_xent_grad_inplace(floatX* logits, float* __restrict__ losses, const int* __restrict__ targets,
                          float dloss, int V, int Vp) {
    // Rows are taken in reverse block order: the preceding LM-head matmul wrote the last rows
    // last, so they are the ones still resident in L2.
    const int row = gridDim.x - (blockIdx.x + 1);
    floatX* x = logits + (size_t)row * Vp;
    const int tgt = targets[row];
    const RowStats st = row_stats_online(x, V);

    if (threadIdx.x == 0) {
        const float xt = __bfloat162float(x[tgt]);
        losses[row] = -(xt - st.max) - logf(st.inv_sum);
    }
    __syncthreads();                              // x[tgt] is read before anyone overwrites it

    // gradient pass: probabilities are recomputed from the logits, never stored
    for (int i = threadIdx.x; i < V / 8; i += blockDim.x) {
        PackX p = ld_pack_last(x + 8 * i);
        PackX g;
        for (int k = 0; k < 8; ++k) {
            const int col = 8 * i + k;
            const float prob = expf(__bfloat162float(p.e[k]) - st.max) * st.inv_sum;
            const float ind = (col == tgt) ? 1.f : 0.f;
            g.e[k] = __float2bfloat16((prob - ind) * dloss);
        }
        st_pack_stream(x + 8 * i, g);
    }
    // padded vocabulary columns get zero gradient
    for (int c = V + threadIdx.x; c < Vp; c += blockDim.x) x[c] = __float2bfloat16(0.f);
}

// Mean loss with a single CTA: fixed summation order, so the reported loss is reproducible
// bit for bit (no atomics).
__global__ void mean_loss_single_block(float* __restrict__ out, const float* __restrict__ losses, int n) {
    __shared__ float part[32];
    float s = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += losses[i];
    s = warp_sum(s);
    if ((threadIdx.x & 31) == 0) part[threadIdx.x >> 5] = s;
    __syncthreads();
    if (threadIdx.x < 32) {
        s = (threadIdx.x < (blockDim.x >> 5)) ? part[threadIdx.x] : 0.f;
        s = warp_sum(s);
        if (threadIdx.x == 0) *out = s / n;
    }
}

int main() {
    const int B = 8, T = 1024, V = 50257 / 8 * 8, Vp = 50304, BT = B * T;
    floatX* d_logits;
    float *d_losses, *d_mean;
    int* d_targets;
    cudaMalloc(&d_logits, (size_t)BT * Vp * sizeof(floatX));
    cudaMalloc(&d_losses, BT * sizeof(float));
    cudaMalloc(&d_mean, sizeof(float));
    cudaMalloc(&d_targets, BT * sizeof(int));
    cudaMemset(d_logits, 0, (size_t)BT * Vp * sizeof(floatX));
    cudaMemset(d_targets, 0, BT * sizeof(int));

    softmax_xent_grad_inplace<<<BT, 1024>>>(d_logits, d_losses, d_targets, 1.f / BT, V, Vp);
    mean_loss_single_block<<<1, 1024>>>(d_mean, d_losses, BT);

    float loss = 0.f;
    cudaMemcpy(&loss, d_mean, sizeof(float), cudaMemcpyDeviceToHost);
    printf("loss %.4f (expect ln(V) = %.4f)\n", loss, logf((float)V));
    cudaFree(d_logits); cudaFree(d_losses); cudaFree(d_mean); cudaFree(d_targets);
    return 0;
}

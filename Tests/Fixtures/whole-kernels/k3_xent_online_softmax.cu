// xent_online_softmax.cu -- classifier-head cross entropy for large label
// spaces (recommendation / detection heads), bf16 logits.
//   fused_xent_fwd_bwd_kernel : loss + dlogits, gradient written over logits
//   mean_loss_kernel          : reproducible mean over rows
//   xent_fwd_twopass_warp     : eval-only forward on fp32 logits
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>

namespace cg = cooperative_groups;

struct MaxSum { float m; float s; };

// merge two (running max, sum of exp(x - max)) pairs
__device__ __forceinline__ MaxSum ms_merge(MaxSum a, MaxSum b)
{
    const float m = fmaxf(a.m, b.m);
    if (m == -INFINITY) return a;
    return MaxSum{ m, a.s * __expf(a.m - m) + b.s * __expf(b.m - m) };
}

template <int BLOCK>
__global__ void __launch_bounds__(BLOCK)
fused_xent_fwd_bwd_kernel(__nv_bfloat16* __restrict__ logits_grad,   // [N, V]: logits in, dlogits out
                          const int* __restrict__ targets, float* __restrict__ row_loss,
                          int V, int ignore_index, float grad_scale)
{
    constexpr int NW = BLOCK / 32;
    __shared__ float s_m[NW];
    __shared__ float s_s[NW];
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);

    const int row = blockIdx.x;
    __nv_bfloat16* x = logits_grad + (size_t)row * V;
    const int tgt = targets[row];
    const bool ignored = (tgt == ignore_index);
    float x_tgt = 0.f;
    if (block.thread_rank() == 0 && !ignored) x_tgt = __bfloat162float(x[tgt]);   // read before overwrite

    // pass 1: single sweep, running max with rescaled running sum
    MaxSum ms{ -INFINITY, 0.f };
    for (int i = block.thread_rank(); i < V; i += BLOCK) {
        const float v = __bfloat162float(x[i]);
        if (v > ms.m) { ms.s = ms.s * __expf(ms.m - v) + 1.f; ms.m = v; }
        else          { ms.s += __expf(v - ms.m); }
    }
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
        MaxSum o{ warp.shfl_xor(ms.m, off), warp.shfl_xor(ms.s, off) };
        ms = ms_merge(ms, o);
    }
    if (warp.thread_rank() == 0) { s_m[warp.meta_group_rank()] = ms.m; s_s[warp.meta_group_rank()] = ms.s; }
    block.sync();
    // every thread folds the NW warp partials itself: no second barrier and
    // no broadcast slot are needed to hand the result to the block
    MaxSum tot{ s_m[0], s_s[0] };
#pragma unroll
    for (int w = 1; w < NW; ++w) tot = ms_merge(tot, MaxSum{ s_m[w], s_s[w] });
    const float lse = tot.m + __logf(tot.s);

    if (block.thread_rank() == 0) row_loss[row] = ignored ? 0.f : lse - x_tgt;

    // pass 2 walks the row back to front: its tail was the last part read
    // by pass 1 and is the part most likely still in L1/L2.
    // softmax probabilities are recomputed here instead of being stored.
    for (int i = V - 1 - (int)block.thread_rank(); i >= 0; i -= BLOCK) {
        const float p = __expf(__bfloat162float(x[i]) - lse);
        const float g = ignored ? 0.f : (p - (i == tgt ? 1.f : 0.f)) * grad_scale;
        x[i] = __float2bfloat16(g);
    }
}

// One block, fixed thread->row assignment and fixed combine order: the mean
// loss is bitwise reproducible (deliberately no atomicAdd across blocks).
template <int BLOCK>
__global__ void __launch_bounds__(BLOCK)
mean_loss_kernel(const float* __restrict__ row_loss, const int* __restrict__ targets, int N,
                 int ignore_index, float* __restrict__ mean_loss)
{
    constexpr int NW = BLOCK / 32;
    __shared__ float s_loss[NW];
    __shared__ int s_cnt[NW];
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);

    float acc = 0.f;
    int cnt = 0;
    for (int i = block.thread_rank(); i < N; i += BLOCK) {
        acc += row_loss[i];
        cnt += (targets[i] != ignore_index);
    }
    acc = cg::reduce(warp, acc, cg::plus<float>());
    cnt = cg::reduce(warp, cnt, cg::plus<int>());
    if (warp.thread_rank() == 0) { s_loss[warp.meta_group_rank()] = acc; s_cnt[warp.meta_group_rank()] = cnt; }
    block.sync();
    if (warp.meta_group_rank() == 0) {
        acc = warp.thread_rank() < NW ? s_loss[warp.thread_rank()] : 0.f;
        cnt = warp.thread_rank() < NW ? s_cnt[warp.thread_rank()] : 0;
        acc = cg::reduce(warp, acc, cg::plus<float>());
        cnt = cg::reduce(warp, cnt, cg::plus<int>());
        if (warp.thread_rank() == 0) mean_loss[0] = acc / (float)(cnt > 0 ? cnt : 1);
    }
}

// Eval path: one warp per row; max pass, then sum pass, then one atomic.
__global__ void xent_fwd_twopass_warp(const float* __restrict__ logits, const int* __restrict__ targets,
                                      int N, int V, int ignore_index, float inv_valid,
                                      float* __restrict__ loss_sum)
{
    const int lane = threadIdx.x & 31;
    const int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    if (row >= N) return;
    const float* x = logits + (size_t)row * V;

    float m = -INFINITY;
    for (int i = lane; i < V; i += 32) m = fmaxf(m, x[i]);
    for (int off = 16; off > 0; off >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, off));

    float s = 0.f;
    for (int i = lane; i < V; i += 32) s += __expf(x[i] - m);
    for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);

    const int t = targets[row];
    if (lane == 0 && t != ignore_index)
        atomicAdd(loss_sum, (m + __logf(s) - x[t]) * inv_valid);
}

int main()
{
    const int N = 2048, V = 65536, ignore_index = -100;
    const size_t NV = (size_t)N * V;
    std::vector<__nv_bfloat16> h_logits(NV);
    std::vector<float> h_logits_f(NV);
    std::vector<int> h_t(N);
    for (size_t i = 0; i < NV; ++i) {
        const float v = 0.001f * (float)((i * 2654435761u) % 8000) - 4.0f;
        h_logits[i] = __float2bfloat16(v);
        h_logits_f[i] = v;
    }
    int valid = 0;
    for (int r = 0; r < N; ++r) {
        h_t[r] = (r % 17 == 0) ? ignore_index : (r * 131) % V;
        valid += (h_t[r] != ignore_index);
    }

    __nv_bfloat16* d_lg;
    float *d_lf, *d_row, *d_mean, *d_sum;
    int* d_t;
    cudaMalloc(&d_lg, NV * sizeof(__nv_bfloat16));
    cudaMalloc(&d_lf, NV * sizeof(float));
    cudaMalloc(&d_row, N * sizeof(float));
    cudaMalloc(&d_mean, sizeof(float));
    cudaMalloc(&d_sum, sizeof(float));
    cudaMalloc(&d_t, N * sizeof(int));
    cudaMemcpy(d_lg, h_logits.data(), NV * sizeof(__nv_bfloat16), cudaMemcpyHostToDevice);
    cudaMemcpy(d_lf, h_logits_f.data(), NV * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(d_t, h_t.data(), N * sizeof(int), cudaMemcpyHostToDevice);
    cudaMemset(d_sum, 0, sizeof(float));

    const float inv_valid = 1.0f / (float)(valid > 0 ? valid : 1);
    fused_xent_fwd_bwd_kernel<512><<<N, 512>>>(d_lg, d_t, d_row, V, ignore_index, inv_valid);
    mean_loss_kernel<1024><<<1, 1024>>>(d_row, d_t, N, ignore_index, d_mean);
    xent_fwd_twopass_warp<<<(N * 32 + 255) / 256, 256>>>(d_lf, d_t, N, V, ignore_index, inv_valid, d_sum);

    float h_mean = 0.f, h_sum = 0.f;
    cudaMemcpy(&h_mean, d_mean, sizeof(float), cudaMemcpyDeviceToHost);
    cudaMemcpy(&h_sum, d_sum, sizeof(float), cudaMemcpyDeviceToHost);
    printf("train loss %.6f   eval loss %.6f   (%s)\n", h_mean, h_sum,
           cudaGetErrorString(cudaGetLastError()));
    cudaFree(d_lg); cudaFree(d_lf); cudaFree(d_row); cudaFree(d_mean); cudaFree(d_sum); cudaFree(d_t);
    return 0;
}

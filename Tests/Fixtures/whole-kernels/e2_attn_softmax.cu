// e2_attn_softmax.cu
// Attention softmax kernels for a GPT-2 style trainer where pre-attention scores are materialised
// as (B, NH, T, T) fp32, plus a small flash-style decode kernel used at inference time.
#include <cuda_runtime.h>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}
__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// scale + causal mask + softmax, one warp per (b, h, t) row.
__global__ void causal_softmax_fwd(float* __restrict__ att, const float* __restrict__ preatt,
                                   int rows, int T, float scale) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, wpb = blockDim.x >> 5;
    // Walk the blocks back to front: late rows have the most unmasked columns (t + 1), so
    // scheduling them first shortens the tail of the grid.
    const int row = (gridDim.x - 1 - blockIdx.x) * wpb + wid;
    if (row >= rows) return;
    const int t = row % T;
    const float* x = preatt + (size_t)row * T;

    // Only columns 0..t are visible; everything right of the diagonal is never read.
    // Single pass: running max with a rescaled running sum.
    float m = -FLT_MAX, s = 0.f;
    for (int j = lane; j <= t; j += 32) {
        float v = x[j] * scale;
        float mn = fmaxf(m, v);
        s = s * __expf(m - mn) + __expf(v - mn);
        m = mn;
    }
    // merge the per-lane (max, sum) pairs
    for (int o = 16; o > 0; o >>= 1) {
        float mo = __shfl_xor_sync(FULL_MASK, m, o);
        float so = __shfl_xor_sync(FULL_MASK, s, o);
        float mn = fmaxf(m, mo);
        s = s * __expf(m - mn) + so * __expf(mo - mn);
        m = mn;
    }
    const float inv = 1.f / s;
    float* y = att + (size_t)row * T;
    for (int j = lane; j < T; j += 32) {
        // exp is evaluated again here instead of being kept from the first pass
        y[j] = (j <= t) ? __expf(x[j] * scale - m) * inv : 0.f;
    }
}

// Softmax backward, written over the incoming gradient:
//   dpre[j] = scale * att[j] * (datt[j] - sum_k att[k] * datt[k])
// One block per row.
__global__ void causal_softmax_bwd_inplace(float* grad /* in: datt, out: dpreatt */,
                                           const float* __restrict__ att, int T, float scale) {
    __shared__ float warp_part[32];
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    const int row = blockIdx.x;
    const int t = row % T;
    const float* a = att + (size_t)row * T;
    float* g = grad + (size_t)row * T;

    float local = 0.f;
    for (int j = threadIdx.x; j <= t; j += blockDim.x) local += a[j] * g[j];
    local = warp_sum(local);
    if (lane == 0) warp_part[wid] = local;
    __syncthreads();
    float dot = (lane < nwarps) ? warp_part[lane] : 0.f;
    dot = warp_sum(dot);

    for (int j = threadIdx.x; j < T; j += blockDim.x)
        g[j] = (j <= t) ? scale * a[j] * (g[j] - dot) : 0.f;
}

// Decode-time attention for one new token per (b, h): q (BH, D), K/V cache (BH, Tk, D).
// K/V are consumed in TILE-key tiles staged in shared memory; the scores of a tile live only in
// shared memory, and a running (max, sum) rescales the output accumulator between tiles.
template <int D, int TILE>
__global__ void attn_decode_tiled(float* __restrict__ out, const float* __restrict__ q,
                                  const float* __restrict__ kcache, const float* __restrict__ vcache,
                                  int Tk, float scale) {
    static_assert(D <= TILE && TILE % 32 == 0, "one thread per output channel");
    __shared__ float s_q[D];
    __shared__ float s_k[TILE][D + 1];   // +1: thread j reads row j, column d -> distinct banks
    __shared__ float s_v[TILE][D];
    __shared__ float s_p[TILE];
    __shared__ float s_red[TILE / 32];

    const int bh = blockIdx.x, tid = threadIdx.x, lane = tid & 31, wid = tid >> 5;
    const float* K = kcache + (size_t)bh * Tk * D;
    const float* V = vcache + (size_t)bh * Tk * D;
    if (tid < D) s_q[tid] = q[(size_t)bh * D + tid] * scale;

    float m_run = -FLT_MAX, l_run = 0.f, o_acc = 0.f;   // o_acc: channel tid of the output
    for (int k0 = 0; k0 < Tk; k0 += TILE) {
        const int nk = min(TILE, Tk - k0);
        for (int i = tid; i < TILE * D; i += TILE) {
            int r = i / D, c = i % D;
            float kv = 0.f, vv = 0.f;
            if (r < nk) { kv = K[(size_t)(k0 + r) * D + c]; vv = V[(size_t)(k0 + r) * D + c]; }
            s_k[r][c] = kv;
            s_v[r][c] = vv;
        }
        __syncthreads();

        float sc = -FLT_MAX;
        if (tid < nk) {
            sc = 0.f;
#pragma unroll 8
            for (int d = 0; d < D; ++d) sc += s_q[d] * s_k[tid][d];
        }
        // block max of the tile's scores
        float mx = warp_max(sc);
        if (lane == 0) s_red[wid] = mx;
        __syncthreads();
        mx = s_red[0];
        for (int w = 1; w < TILE / 32; ++w) mx = fmaxf(mx, s_red[w]);
        const float m_new = fmaxf(m_run, mx);
        const float p = (tid < nk) ? __expf(sc - m_new) : 0.f;
        s_p[tid] = p;
        __syncthreads();                  // everyone has read s_red and written s_p
        float ps = warp_sum(p);
        if (lane == 0) s_red[wid] = ps;
        __syncthreads();
        float tile_sum = 0.f;
        for (int w = 0; w < TILE / 32; ++w) tile_sum += s_red[w];

        const float corr = __expf(m_run - m_new);
        l_run = l_run * corr + tile_sum;
        if (tid < D) {
            float acc = o_acc * corr;
            for (int j = 0; j < nk; ++j) acc += s_p[j] * s_v[j][tid];
            o_acc = acc;
        }
        m_run = m_new;
        __syncthreads();                  // tile buffers are overwritten next iteration
    }
    if (tid < D) out[(size_t)bh * D + tid] = o_acc / l_run;
}

int main() {
    const int B = 4, NH = 12, T = 512, HS = 64;
    const int rows = B * NH * T;
    const float scale = 1.f / sqrtf((float)HS);
    float *d_pre, *d_att, *d_grad;
    cudaMalloc(&d_pre, (size_t)rows * T * sizeof(float));
    cudaMalloc(&d_att, (size_t)rows * T * sizeof(float));
    cudaMalloc(&d_grad, (size_t)rows * T * sizeof(float));
    cudaMemset(d_pre, 0, (size_t)rows * T * sizeof(float));
    cudaMemset(d_grad, 0, (size_t)rows * T * sizeof(float));

    const int block = 256;
    const int grid = (rows + (block / 32) - 1) / (block / 32);
    causal_softmax_fwd<<<grid, block>>>(d_att, d_pre, rows, T, scale);
    causal_softmax_bwd_inplace<<<rows, 256>>>(d_grad, d_att, T, scale);

    // decode step against a KV cache of Tk tokens
    const int Tk = 1000;
    float *d_q, *d_k, *d_v, *d_o;
    cudaMalloc(&d_q, B * NH * HS * sizeof(float));
    cudaMalloc(&d_k, (size_t)B * NH * Tk * HS * sizeof(float));
    cudaMalloc(&d_v, (size_t)B * NH * Tk * HS * sizeof(float));
    cudaMalloc(&d_o, B * NH * HS * sizeof(float));
    cudaMemset(d_q, 0, B * NH * HS * sizeof(float));
    cudaMemset(d_k, 0, (size_t)B * NH * Tk * HS * sizeof(float));
    cudaMemset(d_v, 0, (size_t)B * NH * Tk * HS * sizeof(float));
    attn_decode_tiled<64, 64><<<B * NH, 64>>>(d_o, d_q, d_k, d_v, Tk, scale);

    cudaError_t err = cudaDeviceSynchronize();
    printf("status: %s\n", cudaGetErrorString(err));
    cudaFree(d_pre); cudaFree(d_att); cudaFree(d_grad);
    cudaFree(d_q); cudaFree(d_k); cudaFree(d_v); cudaFree(d_o);
    return err == cudaSuccess ? 0 : 1;
}

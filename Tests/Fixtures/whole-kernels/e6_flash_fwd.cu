// e6_flash_fwd.cu
// FlashAttention-style forward pass, bf16 in/out, fp32 softmax state.
// Q, K, V, O: (B, NH, T, D) contiguous. One CTA = Br query rows of one (b, h); one thread per
// query row. K/V tiles of Bc keys are double-buffered in shared memory with cp.async.
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cuda_pipeline.h>
#include <cfloat>
#include <cstdio>

template <int D, int Br, int Bc>
struct FlashSmem {
    static constexpr int kv_tile = Bc * D;                 // elements per K (or V) tile
    static constexpr int s_ld = Bc + 1;                    // +1 float: thread i writes row i, column j;
                                                           // odd row length keeps a warp on 32 banks
    static constexpr size_t bytes = 4 * kv_tile * sizeof(__nv_bfloat16) + (size_t)Br * s_ld * sizeof(float);
};

template <int D, int Bc, int NThreads>
__device__ __forceinline__ void load_kv_tile_async(__nv_bfloat16* ks, __nv_bfloat16* vs,
                                                   const __nv_bfloat16* K, const __nv_bfloat16* V,
                                                   int kbase, int T, int tid) {
    constexpr int chunks_per_row = D / 8;                 // 16-byte chunks
    constexpr int chunks = Bc * chunks_per_row;
#pragma unroll
    for (int c = tid; c < chunks; c += NThreads) {
        const int r = c / chunks_per_row, col = (c % chunks_per_row) * 8;
        // clamp instead of branching: rows past T read a valid row and are masked out later
        const int src = min(kbase + r, T - 1);
        __pipeline_memcpy_async(ks + r * D + col, K + (size_t)src * D + col, 16);
        __pipeline_memcpy_async(vs + r * D + col, V + (size_t)src * D + col, 16);
    }
}

template <int D, int Br, int Bc, bool kCausal>
__global__ void __launch_bounds__(Br)
flash_attn_fwd(__nv_bfloat16* __restrict__ O, float* __restrict__ LSE, const __nv_bfloat16* __restrict__ Q,
               const __nv_bfloat16* __restrict__ K, const __nv_bfloat16* __restrict__ V, int T, float scale) {
    using SM = FlashSmem<D, Br, Bc>;
    extern __shared__ __align__(16) unsigned char smem[];
    __nv_bfloat16* Ks = reinterpret_cast<__nv_bfloat16*>(smem);      // [2][Bc][D]
    __nv_bfloat16* Vs = Ks + 2 * SM::kv_tile;                       // [2][Bc][D]
    float* S = reinterpret_cast<float*>(Vs + 2 * SM::kv_tile);       // [Br][Bc+1]

    const int tid = threadIdx.x;
    // Query tiles are handed out last-to-first: under the causal mask the last tiles visit the
    // most K/V tiles, so starting them first keeps the tail of the grid short.
    const int qt = gridDim.x - 1 - blockIdx.x;
    const size_t head_off = (size_t)blockIdx.y * T * D;
    Q += head_off; K += head_off; V += head_off; O += head_off;
    const int q_idx = qt * Br + tid;

    // The query row is loaded once into registers and reused against every key of every tile.
    float q[D];
    {
        const int qr = min(q_idx, T - 1);
#pragma unroll
        for (int d = 0; d < D; d += 8) {
            alignas(16) __nv_bfloat16 tmp[8];
            *reinterpret_cast<int4*>(tmp) = *reinterpret_cast<const int4*>(Q + (size_t)qr * D + d);
#pragma unroll
            for (int e = 0; e < 8; ++e) q[d + e] = __bfloat162float(tmp[e]) * scale;
        }
    }
    float o[D];
#pragma unroll
    for (int d = 0; d < D; ++d) o[d] = 0.f;
    float m_i = -FLT_MAX, l_i = 0.f;

    // Causal: K/V tiles entirely to the right of this block's last query are never loaded.
    const int last_q = min(qt * Br + Br - 1, T - 1);
    const int n_tiles = kCausal ? last_q / Bc + 1 : (T + Bc - 1) / Bc;

    load_kv_tile_async<D, Bc, Br>(Ks, Vs, K, V, 0, T, tid);
    __pipeline_commit();

    float* srow = S + tid * SM::s_ld;
    for (int kt = 0; kt < n_tiles; ++kt) {
        __pipeline_wait_prior(0);
        __syncthreads();                       // tile kt visible; buffer (kt+1)&1 no longer read
        if (kt + 1 < n_tiles)
            load_kv_tile_async<D, Bc, Br>(Ks + ((kt + 1) & 1) * SM::kv_tile, Vs + ((kt + 1) & 1) * SM::kv_tile,
                                          K, V, (kt + 1) * Bc, T, tid);
        __pipeline_commit();

        const __nv_bfloat16* ks = Ks + (kt & 1) * SM::kv_tile;
        const __nv_bfloat16* vs = Vs + (kt & 1) * SM::kv_tile;
        const int kbase = kt * Bc;

        // S_i = q_i . K_j  (all threads read the same K row at the same time: broadcast)
        float mt = -FLT_MAX;
        for (int j = 0; j < Bc; ++j) {
            float s = 0.f;
#pragma unroll
            for (int d = 0; d < D; ++d) s = fmaf(q[d], __bfloat162float(ks[j * D + d]), s);
            const bool valid = (kbase + j < T) && (!kCausal || kbase + j <= q_idx);
            s = valid ? s : -FLT_MAX;
            srow[j] = s;
            mt = fmaxf(mt, s);
        }
        // online softmax: rescale running sum and output by exp(m_old - m_new)
        const float m_new = fmaxf(m_i, mt);
        const float corr = __expf(m_i - m_new);
        l_i *= corr;
#pragma unroll
        for (int d = 0; d < D; ++d) o[d] *= corr;
        for (int j = 0; j < Bc; ++j) {
            const float p = __expf(srow[j] - m_new);
            l_i += p;
#pragma unroll
            for (int d = 0; d < D; ++d) o[d] = fmaf(p, __bfloat162float(vs[j * D + d]), o[d]);
        }
        m_i = m_new;
    }

    if (q_idx < T) {
        const float inv_l = __fdividef(1.f, l_i);
#pragma unroll
        for (int d = 0; d < D; d += 8) {
            alignas(16) __nv_bfloat16 tmp[8];
#pragma unroll
            for (int e = 0; e < 8; ++e) tmp[e] = __float2bfloat16(o[d + e] * inv_l);
            *reinterpret_cast<int4*>(O + (size_t)q_idx * D + d) = *reinterpret_cast<const int4*>(tmp);
        }
        LSE[(size_t)blockIdx.y * T + q_idx] = m_i + __logf(l_i);
    }
}

int main() {
    constexpr int D = 64, Br = 64, Bc = 64;
    const int B = 4, NH = 16, T = 1000;
    const size_t n = (size_t)B * NH * T * D;
    __nv_bfloat16 *dQ, *dK, *dV, *dO;
    float* dLSE;
    cudaMalloc(&dQ, n * sizeof(__nv_bfloat16));
    cudaMalloc(&dK, n * sizeof(__nv_bfloat16));
    cudaMalloc(&dV, n * sizeof(__nv_bfloat16));
    cudaMalloc(&dO, n * sizeof(__nv_bfloat16));
    cudaMalloc(&dLSE, (size_t)B * NH * T * sizeof(float));
    cudaMemset(dQ, 0, n * sizeof(__nv_bfloat16));
    cudaMemset(dK, 0, n * sizeof(__nv_bfloat16));
    cudaMemset(dV, 0, n * sizeof(__nv_bfloat16));

    auto kernel = flash_attn_fwd<D, Br, Bc, true>;
    const size_t smem = FlashSmem<D, Br, Bc>::bytes;      // 49,408 B > 48 KiB default
    cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    dim3 grid((T + Br - 1) / Br, B * NH);
    kernel<<<grid, Br, smem>>>(dO, dLSE, dQ, dK, dV, T, 0.125f);
    cudaError_t err = cudaDeviceSynchronize();
    printf("flash fwd: %s\n", cudaGetErrorString(err));
    cudaFree(dQ); cudaFree(dK); cudaFree(dV); cudaFree(dO); cudaFree(dLSE);
    return err == cudaSuccess ? 0 : 1;
}

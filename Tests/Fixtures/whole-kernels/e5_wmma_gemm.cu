// e5_wmma_gemm.cu
// Tensor-core GEMMs written by hand (no CUTLASS):
//  * hgemm_bias_wmma_pipelined: FP16 x FP16 -> FP32 accumulate, 3-stage cp.async pipeline, bias epilogue
//  * bf16_small_gemm_batched:   many tiny independent BF16 GEMMs, one warp per 16x16 output tile
//  * cast_f32_to_f16:           input preparation
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cuda_pipeline.h>
#include <mma.h>
#include <cstdio>

using namespace nvcuda;

constexpr int BM = 128, BN = 128, BK = 32, STAGES = 3;
// +8 halves (16 B) of skew per shared-memory row: the 8 rows read by one fragment load start in
// 8 different 4-bank groups instead of colliding (unpadded rows are 64 B / 256 B apart).
constexpr int A_LD = BK + 8;
constexpr int B_LD = BN + 8;
constexpr int A_STAGE = BM * A_LD;
constexpr int B_STAGE = BK * B_LD;
constexpr size_t SMEM_BYTES = (size_t)STAGES * (A_STAGE + B_STAGE) * sizeof(half);   // 56,832 B

// 256 threads copy one BM x BK tile of A and one BK x BN tile of B, 16 bytes per cp.async.
__device__ __forceinline__ void issue_tile_copy(half* sA, half* sB, const half* gA, const half* gB,
                                                int lda, int ldb, int tid) {
#pragma unroll
    for (int i = 0; i < 2; ++i) {
        int chunk = tid + i * 256;
        int r = chunk / (BK / 8), c = (chunk % (BK / 8)) * 8;
        __pipeline_memcpy_async(sA + r * A_LD + c, gA + (size_t)r * lda + c, 16);
    }
#pragma unroll
    for (int i = 0; i < 2; ++i) {
        int chunk = tid + i * 256;
        int r = chunk / (BN / 8), c = (chunk % (BN / 8)) * 8;
        __pipeline_memcpy_async(sB + r * B_LD + c, gB + (size_t)r * ldb + c, 16);
    }
}

// C (M x N, half) = A (M x K) * B (K x N) + bias[N]; M, N % 128 == 0, K % 32 == 0.
// 8 warps in a 2 x 4 arrangement; each warp owns a 64 x 32 patch = 4 x 2 accumulator fragments.
__global__ void __launch_bounds__(256)
hgemm_bias_wmma_pipelined(const half* __restrict__ A, const half* __restrict__ B,
                          const float* __restrict__ bias, half* __restrict__ C, int M, int N, int K) {
    extern __shared__ __align__(128) unsigned char smem_raw[];
    half* sA = reinterpret_cast<half*>(smem_raw);
    half* sB = sA + STAGES * A_STAGE;

    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int wm = warp / 4, wn = warp % 4;
    const half* Ablk = A + (size_t)blockIdx.y * BM * K;
    const half* Bblk = B + (size_t)blockIdx.x * BN;

    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.f);

    const int ktiles = K / BK;
    for (int s = 0; s < STAGES - 1; ++s) {
        if (s < ktiles)
            issue_tile_copy(sA + s * A_STAGE, sB + s * B_STAGE, Ablk + s * BK, Bblk + (size_t)s * BK * N, K, N, tid);
        __pipeline_commit();
    }

    for (int kt = 0; kt < ktiles; ++kt) {
        __pipeline_wait_prior(STAGES - 2);   // tile kt has landed
        __syncthreads();                     // ... for every thread, and slot (kt-1)%STAGES is free
        const int nk = kt + STAGES - 1;
        if (nk < ktiles) {
            const int s = nk % STAGES;
            issue_tile_copy(sA + s * A_STAGE, sB + s * B_STAGE, Ablk + nk * BK, Bblk + (size_t)nk * BK * N, K, N, tid);
        }
        __pipeline_commit();

        const half* a = sA + (kt % STAGES) * A_STAGE;
        const half* b = sB + (kt % STAGES) * B_STAGE;
#pragma unroll
        for (int kk = 0; kk < BK; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa[4];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::row_major> fb[2];
#pragma unroll
            for (int i = 0; i < 4; ++i) wmma::load_matrix_sync(fa[i], a + (wm * 64 + i * 16) * A_LD + kk, A_LD);
#pragma unroll
            for (int j = 0; j < 2; ++j) wmma::load_matrix_sync(fb[j], b + kk * B_LD + wn * 32 + j * 16, B_LD);
#pragma unroll
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
    }

    // Epilogue: the pipeline buffers are dead now; each warp stages one 16x16 fp32 fragment at a
    // time, adds the bias, converts to half and writes 8 halves (one 16-byte store) per lane.
    __pipeline_wait_prior(0);
    __syncthreads();
    float* stage = reinterpret_cast<float*>(smem_raw) + warp * 256;
    const int r = lane >> 1, c8 = (lane & 1) * 8;
#pragma unroll
    for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int j = 0; j < 2; ++j) {
            wmma::store_matrix_sync(stage, acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            const int grow = blockIdx.y * BM + wm * 64 + i * 16 + r;
            const int gcol = blockIdx.x * BN + wn * 32 + j * 16 + c8;
            __align__(16) __half2 h[4];
#pragma unroll
            for (int q = 0; q < 4; ++q)
                h[q] = __floats2half2_rn(stage[r * 16 + c8 + 2 * q] + bias[gcol + 2 * q],
                                         stage[r * 16 + c8 + 2 * q + 1] + bias[gcol + 2 * q + 1]);
            *reinterpret_cast<int4*>(C + (size_t)grow * N + gcol) = *reinterpret_cast<const int4*>(h);
            __syncwarp();
        }
    }
}

// Many independent small GEMMs (e.g. per-head projections): blockIdx.z selects the problem.
// Each warp computes one 16x16 output tile straight from global memory.
__global__ void bf16_small_gemm_batched(const __nv_bfloat16* __restrict__ A, const __nv_bfloat16* __restrict__ B,
                                        float* __restrict__ C, int M, int N, int K,
                                        long long strideA, long long strideB, long long strideC) {
    const int warp = threadIdx.x >> 5;
    const int tile_m = blockIdx.y, tile_n = blockIdx.x * (blockDim.x >> 5) + warp;
    if (tile_n * 16 >= N) return;
    const __nv_bfloat16* a = A + blockIdx.z * strideA + (size_t)tile_m * 16 * K;
    const __nv_bfloat16* b = B + blockIdx.z * strideB + tile_n * 16;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> c;
    wmma::fill_fragment(c, 0.f);
    for (int k = 0; k < K; k += 16) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa;
        wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> fb;
        wmma::load_matrix_sync(fa, a + k, K);
        wmma::load_matrix_sync(fb, b + (size_t)k * N, N);
        wmma::mma_sync(c, fa, fb, c);
    }
    wmma::store_matrix_sync(C + blockIdx.z * strideC + (size_t)tile_m * 16 * N + tile_n * 16, c, N, wmma::mem_row_major);
}

// fp32 -> fp16, four elements per iteration (n % 4 == 0).
__global__ void cast_f32_to_f16(half* __restrict__ out, const float* __restrict__ in, int n) {
    for (int i = (blockIdx.x * blockDim.x + threadIdx.x) * 4; i < n; i += gridDim.x * blockDim.x * 4) {
        float4 v = *reinterpret_cast<const float4*>(in + i);
        __half2 lo = __floats2half2_rn(v.x, v.y);
        __half2 hi = __floats2half2_rn(v.z, v.w);
        *reinterpret_cast<__half2*>(out + i) = lo;
        *reinterpret_cast<__half2*>(out + i + 2) = hi;
    }
}

int main() {
    const int M = 2048, N = 2048, K = 1024;
    float *dAf, *dBf, *dbias;
    half *dA, *dB, *dC;
    cudaMalloc(&dAf, (size_t)M * K * sizeof(float));
    cudaMalloc(&dBf, (size_t)K * N * sizeof(float));
    cudaMalloc(&dbias, N * sizeof(float));
    cudaMalloc(&dA, (size_t)M * K * sizeof(half));
    cudaMalloc(&dB, (size_t)K * N * sizeof(half));
    cudaMalloc(&dC, (size_t)M * N * sizeof(half));
    cudaMemset(dAf, 0, (size_t)M * K * sizeof(float));
    cudaMemset(dBf, 0, (size_t)K * N * sizeof(float));
    cudaMemset(dbias, 0, N * sizeof(float));
    cast_f32_to_f16<<<512, 256>>>(dA, dAf, M * K);
    cast_f32_to_f16<<<512, 256>>>(dB, dBf, K * N);

    // 3 stages need 56,832 B of dynamic shared memory: opt in above the 48 KiB default.
    cudaFuncSetAttribute(hgemm_bias_wmma_pipelined, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)SMEM_BYTES);
    dim3 grid(N / BN, M / BM);
    hgemm_bias_wmma_pipelined<<<grid, 256, SMEM_BYTES>>>(dA, dB, dbias, dC, M, N, K);

    // 96 independent 64x64x64 problems
    const int P = 96, m = 64, n = 64, k = 64;
    __nv_bfloat16 *sA, *sB;
    float* sC;
    cudaMalloc(&sA, (size_t)P * m * k * sizeof(__nv_bfloat16));
    cudaMalloc(&sB, (size_t)P * k * n * sizeof(__nv_bfloat16));
    cudaMalloc(&sC, (size_t)P * m * n * sizeof(float));
    cudaMemset(sA, 0, (size_t)P * m * k * sizeof(__nv_bfloat16));
    cudaMemset(sB, 0, (size_t)P * k * n * sizeof(__nv_bfloat16));
    dim3 sgrid(1, m / 16, P);             // 4 warps per block cover the 4 column tiles
    bf16_small_gemm_batched<<<sgrid, 128>>>(sA, sB, sC, m, n, k, (long long)m * k, (long long)k * n, (long long)m * n);

    cudaError_t err = cudaDeviceSynchronize();
    printf("gemm: %s\n", cudaGetErrorString(err));
    cudaFree(dAf); cudaFree(dBf); cudaFree(dbias); cudaFree(dA); cudaFree(dB); cudaFree(dC);
    cudaFree(sA); cudaFree(sB); cudaFree(sC);
    return err == cudaSuccess ? 0 : 1;
}

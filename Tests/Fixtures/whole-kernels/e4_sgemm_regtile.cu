// e4_sgemm_regtile.cu
// Hand-written FP32 GEMM with a bias + ReLU epilogue: C = relu(A * B + bias).
// A: M x K, B: K x N, C: M x N, all row-major. Requires M, N % 128 == 0 and K % 8 == 0.
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

template <int BM, int BN, int BK, int TM, int TN>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), 2)   // 2 CTAs/SM -> at most 128 regs/thread
sgemm_bias_relu_tiled(const float* __restrict__ A, const float* __restrict__ B,
                      const float* __restrict__ bias, float* __restrict__ C, int M, int N, int K) {
    constexpr int NT = (BM / TM) * (BN / TN);
    static_assert(BM * BK / 4 == NT && BK * BN / 4 == NT, "one float4 of A and of B per thread");
    // A is stored transposed (k-major). A warp's transposing stores cover 16 consecutive m
    // indices in k-rows a_c and a_c+4; with a row length of 128 both land in the same 16 banks
    // (2-way conflict). Padding each row by 4 floats skews row a_c+4 by 16 banks.
    constexpr int APAD = 4;
    __shared__ __align__(16) float As[2][BK][BM + APAD];
    __shared__ __align__(16) float Bs[2][BK][BN];

    const int tid = threadIdx.x;
    const int tx = tid % (BN / TN), ty = tid / (BN / TN);
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;

    // global -> shared mapping. For B, 32 consecutive threads read 32 consecutive float4 of one
    // row of B: each warp request is 512 contiguous bytes (coalesced).
    const int a_r = tid / (BK / 4), a_c = (tid % (BK / 4)) * 4;
    const int b_r = tid / (BN / 4), b_c = (tid % (BN / 4)) * 4;
    const float* Ag = A + (size_t)(row0 + a_r) * K + a_c;
    const float* Bg = B + (size_t)b_r * N + col0 + b_c;

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float ra[TM], rb[TN];

    float4 pa = *reinterpret_cast<const float4*>(Ag);
    float4 pb = *reinterpret_cast<const float4*>(Bg);
    As[0][a_c + 0][a_r] = pa.x; As[0][a_c + 1][a_r] = pa.y;
    As[0][a_c + 2][a_r] = pa.z; As[0][a_c + 3][a_r] = pa.w;
    *reinterpret_cast<float4*>(&Bs[0][b_r][b_c]) = pb;
    __syncthreads();

    int buf = 0;
    for (int k0 = 0; k0 < K; k0 += BK) {
        const bool has_next = (k0 + BK) < K;
        if (has_next) {
            // Issue the next tile's global loads now; they are only consumed after the FMA loop
            // below, so their latency is hidden behind the math on the current tile.
            pa = *reinterpret_cast<const float4*>(Ag + k0 + BK);
            pb = *reinterpret_cast<const float4*>(Bg + (size_t)(k0 + BK) * N);
        }
#pragma unroll
        for (int kk = 0; kk < BK; ++kk) {
#pragma unroll
            for (int i = 0; i < TM; i += 4)
                *reinterpret_cast<float4*>(&ra[i]) = *reinterpret_cast<const float4*>(&As[buf][kk][ty * TM + i]);
#pragma unroll
            for (int j = 0; j < TN; j += 4)
                *reinterpret_cast<float4*>(&rb[j]) = *reinterpret_cast<const float4*>(&Bs[buf][kk][tx * TN + j]);
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
        }
        if (has_next) {
            // The other buffer was last read in the previous iteration, before the barrier that
            // ended it, so no barrier is needed before these stores: one __syncthreads per K step.
            const int nb = buf ^ 1;
            As[nb][a_c + 0][a_r] = pa.x; As[nb][a_c + 1][a_r] = pa.y;
            As[nb][a_c + 2][a_r] = pa.z; As[nb][a_c + 3][a_r] = pa.w;
            *reinterpret_cast<float4*>(&Bs[nb][b_r][b_c]) = pb;
            __syncthreads();
            buf = nb;
        }
    }

    // epilogue: bias and ReLU applied on the register tile before the only store of C
#pragma unroll
    for (int i = 0; i < TM; ++i) {
        const int r = row0 + ty * TM + i;
#pragma unroll
        for (int j = 0; j < TN; j += 4) {
            const int c = col0 + tx * TN + j;
            float4 bv = *reinterpret_cast<const float4*>(bias + c);
            float4 o;
            o.x = fmaxf(acc[i][j + 0] + bv.x, 0.f);
            o.y = fmaxf(acc[i][j + 1] + bv.y, 0.f);
            o.z = fmaxf(acc[i][j + 2] + bv.z, 0.f);
            o.w = fmaxf(acc[i][j + 3] + bv.w, 0.f);
            *reinterpret_cast<float4*>(C + (size_t)r * N + c) = o;
        }
    }
}

// Reference used by the self-test. Unrolling is switched off so the accumulation order matches
// the CPU loop exactly.
__global__ void sgemm_bias_relu_reference(const float* A, const float* B, const float* bias,
                                          float* C, int M, int N, int K) {
    const int r = blockIdx.y * blockDim.y + threadIdx.y;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= M || c >= N) return;
    float s = 0.f;
#pragma unroll 1
    for (int k = 0; k < K; ++k) s += A[(size_t)r * K + k] * B[(size_t)k * N + c];
    C[(size_t)r * N + c] = fmaxf(s + bias[c], 0.f);
}

int main() {
    const int M = 1024, N = 768, K = 512;
    std::vector<float> hA((size_t)M * K), hB((size_t)K * N), hbias(N);
    for (size_t i = 0; i < hA.size(); ++i) hA[i] = (float)((i * 13) % 17) / 17.f - 0.5f;
    for (size_t i = 0; i < hB.size(); ++i) hB[i] = (float)((i * 7) % 23) / 23.f - 0.5f;
    for (int i = 0; i < N; ++i) hbias[i] = 0.01f * (i % 5);

    float *dA, *dB, *dbias, *dC, *dRef;
    cudaMalloc(&dA, hA.size() * sizeof(float));
    cudaMalloc(&dB, hB.size() * sizeof(float));
    cudaMalloc(&dbias, N * sizeof(float));
    cudaMalloc(&dC, (size_t)M * N * sizeof(float));
    cudaMalloc(&dRef, (size_t)M * N * sizeof(float));
    cudaMemcpy(dA, hA.data(), hA.size() * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(dB, hB.data(), hB.size() * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(dbias, hbias.data(), N * sizeof(float), cudaMemcpyHostToDevice);

    constexpr int BM = 128, BN = 128, BK = 8, TM = 8, TN = 8;
    dim3 block((BM / TM) * (BN / TN));
    dim3 grid(N / BN, M / BM);            // x: column tile, y: row tile of the same C
    sgemm_bias_relu_tiled<BM, BN, BK, TM, TN><<<grid, block>>>(dA, dB, dbias, dC, M, N, K);

    dim3 rblock(16, 16), rgrid((N + 15) / 16, (M + 15) / 16);
    sgemm_bias_relu_reference<<<rgrid, rblock>>>(dA, dB, dbias, dRef, M, N, K);

    std::vector<float> hC((size_t)M * N), hR((size_t)M * N);
    cudaMemcpy(hC.data(), dC, hC.size() * sizeof(float), cudaMemcpyDeviceToHost);
    cudaMemcpy(hR.data(), dRef, hR.size() * sizeof(float), cudaMemcpyDeviceToHost);
    double max_err = 0.0;
    for (size_t i = 0; i < hC.size(); ++i) max_err = fmax(max_err, fabs((double)hC[i] - hR[i]));
    printf("max |tiled - reference| = %g\n", max_err);
    cudaFree(dA); cudaFree(dB); cudaFree(dbias); cudaFree(dC); cudaFree(dRef);
    return max_err < 1e-3 ? 0 : 1;
}

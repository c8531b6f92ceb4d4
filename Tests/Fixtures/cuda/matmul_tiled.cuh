// A header with a shared helper macro and a tiled matmul kernel, included by matmul_launch.cu.
#pragma once
#include <cuda_runtime.h>

#define TILE 16
#define IDX(r, c, ld) ((r) * (ld) + (c))

template <int T>
__global__ void matmul_tiled(const float* A, const float* B, float* C, int M, int N, int K) {
    __shared__ float As[T][T];
    __shared__ float Bs[T][T];
    int row = blockIdx.y * T + threadIdx.y;
    int col = blockIdx.x * T + threadIdx.x;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += T) {
        As[threadIdx.y][threadIdx.x] = (row < M && k0 + threadIdx.x < K) ? A[IDX(row, k0 + threadIdx.x, K)] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (col < N && k0 + threadIdx.y < K) ? B[IDX(k0 + threadIdx.y, col, N)] : 0.0f;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < T; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        __syncthreads();
    }
    if (row < M && col < N) C[IDX(row, col, N)] = acc;
}

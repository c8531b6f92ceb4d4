// Launches the kernel declared in matmul_tiled.cuh from a templated host helper.
#include "matmul_tiled.cuh"

template <int T>
void launch_matmul(const float* A, const float* B, float* C, int M, int N, int K, cudaStream_t s) {
    dim3 block(T, T);
    dim3 grid((N + T - 1) / T, (M + T - 1) / T);
    matmul_tiled<T><<<grid, block, 0, s>>>(A, B, C, M, N, K);
}

void matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    launch_matmul<TILE>(A, B, C, M, N, K, 0);
}

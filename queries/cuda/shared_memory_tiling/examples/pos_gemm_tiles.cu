// example: classic 16x16 GEMM tiles of A and B staged in shared memory through a macro index. Positive.
#define TILE 16
#define IDX(r, c, ld) ((r) * (ld) + (c))
__global__ void sgemm_tiled(const float* A, const float* B, float* C, int M, int N, int K) {
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        As[threadIdx.y][threadIdx.x] = A[IDX(row, k0 + threadIdx.x, K)];
        Bs[threadIdx.y][threadIdx.x] = B[IDX(k0 + threadIdx.y, col, N)];
        __syncthreads();
        for (int k = 0; k < TILE; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        __syncthreads();
    }
    if (row < M && col < N) C[IDX(row, col, N)] = acc;
}

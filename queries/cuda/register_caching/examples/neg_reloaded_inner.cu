// example: A[row][k] is re-read inside the inner loop every time; nothing is hoisted. Negative (near miss).

__global__ void matmul_rows_naive(const float* A, const float* B, float* C, int n, int k) {
    int row = blockIdx.x;
    for (int kk = 0; kk < k; ++kk) {
        for (int col = threadIdx.x; col < n; col += blockDim.x) C[row * n + col] += A[row * k + kk] * B[kk * n + col];
    }
}

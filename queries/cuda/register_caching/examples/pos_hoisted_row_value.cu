// example: naive matmul where A[row][k] is hoisted out of the inner loop over output columns. Positive.

__global__ void matmul_rows(const float* A, const float* B, float* C, int n, int k) {
    int row = blockIdx.x;
    for (int kk = 0; kk < k; ++kk) {
        float a = A[row * k + kk];
        for (int col = threadIdx.x; col < n; col += blockDim.x) C[row * n + col] += a * B[kk * n + col];
    }
}

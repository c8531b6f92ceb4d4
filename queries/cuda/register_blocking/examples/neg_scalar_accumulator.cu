// example: a dot-product kernel with one scalar accumulator per thread in a nested loop. Negative.
__global__ void matvec(const float* A, const float* x, float* y, int n, int chunks) {
    float acc = 0.f;
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    for (int c = 0; c < chunks; ++c)
        for (int j = 0; j < n / chunks; ++j) acc += A[row * n + c * (n / chunks) + j] * x[c * (n / chunks) + j];
    y[row] = acc;
}

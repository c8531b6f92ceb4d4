// example: max found walking the row backwards, then a forward pass over the same row; no comment. Positive.
__global__ void shift_by_max(const float* x, float* y, int n) {
    const float* row = x + blockIdx.x * n;
    float m = -1e30f;
    for (int i = n - 1 - (int)threadIdx.x; i >= 0; i -= blockDim.x) m = fmaxf(m, row[i]);
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = row[i] - m;
}

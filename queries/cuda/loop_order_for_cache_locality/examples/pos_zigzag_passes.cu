// example: first pass runs backwards and the second forwards over the same row, so the second starts warm. Positive.

__global__ void center_rows(const float* x, float* y, int n) {
    const float* row = x + blockIdx.x * n;
    float sum = 0.f;
    for (int i = n - blockDim.x + threadIdx.x; i >= 0; i -= blockDim.x) sum += row[i];
    float mean = sum / n;
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = row[i] - mean;
}

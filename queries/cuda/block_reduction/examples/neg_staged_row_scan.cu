// example: a row staged in shared memory (plain copy of global data), then every thread scans the whole row for its max; no partials are combined across warps. Negative (near miss).
__global__ void row_softmax_staged(const float* x, float* y, int n) {
    extern __shared__ float row[];
    for (int i = threadIdx.x; i < n; i += blockDim.x) row[i] = x[blockIdx.x * n + i];
    __syncthreads();
    float m = -1e30f;
    for (int i = 0; i < n; ++i) m = fmaxf(m, row[i]);
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = expf(row[i] - m);
}

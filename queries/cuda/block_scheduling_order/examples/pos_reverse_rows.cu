// example: causal softmax rows processed in reverse (gridDim.x - blockIdx.x - 1) so the longest rows start first. Positive.
__global__ void causal_row_softmax(const float* att, float* out, int T) {
    int row = gridDim.x - blockIdx.x - 1;
    const float* x = att + row * T;
    float m = -1e30f;
    for (int j = threadIdx.x; j <= row; j += blockDim.x) m = fmaxf(m, x[j]);
    out[row * T + threadIdx.x] = m;
}

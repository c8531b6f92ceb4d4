// example: layer-norm parameters kept in registers (stated) and reused across the row loop. Positive.

__global__ void layernorm_apply(const float* x, const float* mean, const float* rstd, float* y, int c) {
    // cache the row statistics in registers: they are reused for every channel
    float m = mean[blockIdx.x];
    float s = rstd[blockIdx.x];
    for (int i = threadIdx.x; i < c; i += blockDim.x) y[blockIdx.x * c + i] = (x[blockIdx.x * c + i] - m) * s;
}

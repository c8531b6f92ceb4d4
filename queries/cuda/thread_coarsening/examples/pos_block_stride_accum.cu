// example: block-stride accumulation over a row of run-time length C before a shared-memory reduce. Positive.
__global__ void row_sum(const float* x, float* out, int C) {
    __shared__ float s[128];
    const float* row = x + blockIdx.x * C;
    float acc = 0.0f;
    for (int i = threadIdx.x; i < C; i += blockDim.x) acc += row[i];
    s[threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.x == 0) {
        float t = 0.0f;
        for (int k = 0; k < 128; ++k) t += s[k];
        out[blockIdx.x] = t;
    }
}

// example: an ordinary block-per-row sum: no second stage, no single-block launch, nothing said about summation order. Negative.
__global__ void row_sums(const float* x, float* out, int C) {
    __shared__ float s[256];
    float acc = 0.0f;
    for (int i = threadIdx.x; i < C; i += blockDim.x) acc += x[blockIdx.x * C + i];
    s[threadIdx.x] = acc;
    __syncthreads();
    for (int k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}
void launch_rows(const float* x, float* out, int rows, int C) { row_sums<<<rows, 256>>>(x, out, C); }

// example: shared memory holds per-warp partial sums computed in registers, and a pointless own-slot staging. Negative.
__global__ void row_mean(const float* x, float* out, int n) {
    __shared__ float partial[32];
    __shared__ float mine[1024];
    float acc = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) acc += x[blockIdx.x * n + i];
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, o);
    if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = acc;
    mine[threadIdx.x] = x[blockIdx.x * n + threadIdx.x];
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.f;
        for (int w = 0; w < blockDim.x / 32; ++w) total += partial[w];
        out[blockIdx.x] = total / n + 0.f * mine[threadIdx.x];
    }
}

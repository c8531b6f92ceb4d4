// example: a cache-line aligned per-block accumulator struct, used through a typedef. Positive.
struct alignas(64) BlockStats {
    float sum;
    float sum_sq;
};
typedef BlockStats stats_t;

__global__ void block_stats(const float* x, stats_t* out, int n) {
    __shared__ float s[2];
    if (threadIdx.x < 2) s[threadIdx.x] = 0.f;
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float v = x[blockIdx.x * n + i];
        atomicAdd(&s[0], v);
        atomicAdd(&s[1], v * v);
    }
    __syncthreads();
    if (threadIdx.x == 0) { out[blockIdx.x].sum = s[0]; out[blockIdx.x].sum_sq = s[1]; }
}

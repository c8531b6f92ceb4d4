// example: the next tile's four neighbouring values loaded into registers before the barrier to hide global latency. Positive.

__global__ void tiled_scale(const float* x, float* y, int tiles) {
    __shared__ float tile[256];
    float cur = x[threadIdx.x];
    for (int t = 0; t < tiles; ++t) {
        // prefetch the next tile into registers while this one is consumed
        float nxt_a = x[(t + 1) * 256 + threadIdx.x];
        float nxt_b = x[(t + 1) * 256 + (threadIdx.x ^ 1)];
        float nxt_c = x[(t + 1) * 256 + (threadIdx.x ^ 2)];
        float nxt_d = x[(t + 1) * 256 + (threadIdx.x ^ 3)];
        tile[threadIdx.x] = cur;
        __syncthreads();
        y[t * 256 + threadIdx.x] = tile[255 - threadIdx.x];
        __syncthreads();
        cur = 0.25f * (nxt_a + nxt_b + nxt_c + nxt_d);
    }
}

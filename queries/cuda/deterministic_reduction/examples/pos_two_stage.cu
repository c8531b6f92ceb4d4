// example: per-block partial sums written to partials[blockIdx.x], then one block sums them in a fixed order; no float atomics. Positive.
__device__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
    return v;
}
__device__ float block_sum(float v) {
    __shared__ float warp_partials[32];
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    v = warp_sum(v);
    if (lane == 0) warp_partials[warp] = v;
    __syncthreads();
    v = (lane < blockDim.x / 32) ? warp_partials[lane] : 0.0f;
    return warp_sum(v);
}
__global__ void partial_sums(const float* x, float* partials, int n) {
    float v = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) v += x[i];
    v = block_sum(v);
    if (threadIdx.x == 0) partials[blockIdx.x] = v;
}
__global__ void final_sum(const float* partials, float* out, int num_partials) {
    float v = 0.0f;
    for (int i = threadIdx.x; i < num_partials; i += blockDim.x) v += partials[i];
    v = block_sum(v);
    if (threadIdx.x == 0) *out = v;
}
void global_sum(const float* x, float* partials, float* out, int n) {
    partial_sums<<<120, 512>>>(x, partials, n);
    final_sum<<<1, 1024>>>(partials, out, 120);
}

// example: one warp per block reduces with shuffles; shared memory only reverses the lanes' values (not per-warp partials), blockReduce only in a comment. Negative (near miss).
__device__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
    return v;
}
__global__ void warp_rows(const float* x, float* out, int C) {
    __shared__ float stage[32];
    int lane = threadIdx.x % 32;
    stage[lane] = x[blockIdx.x * 32 + lane];   // blockReduce is not needed here
    __syncthreads();
    float v = stage[31 - lane];
    v = warp_sum(v);
    if (lane == 0) out[blockIdx.x] = v;
}

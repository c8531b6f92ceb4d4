// example: a device helper halves the shuffle offset and accumulates; the kernel calls it. Positive.
__device__ float lane_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}
__global__ void row_total(const float* x, float* out, int n) {
    float acc = 0.f;
    for (int i = threadIdx.x; i < n; i += 32) acc += x[blockIdx.x * n + i];
    acc = lane_sum(acc);
    if (threadIdx.x == 0) out[blockIdx.x] = acc;
}

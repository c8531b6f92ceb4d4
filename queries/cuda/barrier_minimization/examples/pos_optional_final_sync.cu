// example: llm.c-style blockReduce: the trailing barrier is taken only when the caller asks (final_sync), since unique shared memory makes it unnecessary otherwise. Positive.
__device__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
    return v;
}
__device__ float block_sum(float val, bool final_sync) {
    __shared__ float shared_val[32];
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    float w = warp_sum(val);
    if (lane == 0) shared_val[warp] = w;
    __syncthreads();
    w = lane < blockDim.x / 32 ? shared_val[lane] : 0.0f;
    float total = warp_sum(w);
    if (final_sync) {
        __syncthreads();
    }
    return total;
}
__global__ void norms(const float* x, float* out, int C) {
    float s = 0.0f;
    for (int i = threadIdx.x; i < C; i += blockDim.x) s += x[blockIdx.x * C + i] * x[blockIdx.x * C + i];
    s = block_sum(s, false);
    if (threadIdx.x == 0) out[blockIdx.x] = s;
}

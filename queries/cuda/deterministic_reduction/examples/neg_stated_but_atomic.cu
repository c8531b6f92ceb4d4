// example: the comment claims determinism, but each block still finishes with a float atomicAdd into the result. Negative (near miss).
__device__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
    return v;
}
// "deterministic" sum (it is not: float atomics make the order vary run to run)
__global__ void sum_atomic(const float* x, float* out, int n) {
    float v = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) v += x[i];
    v = warp_sum(v);
    if (threadIdx.x % 32 == 0) atomicAdd(out, v);
}

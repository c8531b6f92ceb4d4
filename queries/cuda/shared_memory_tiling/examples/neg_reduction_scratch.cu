// example: shared memory only as scratch for a tree reduction of loaded values. Negative (near miss).
__global__ void block_sum(const float* x, float* out) {
    __shared__ float buf[256];
    buf[threadIdx.x] = x[blockIdx.x * 256 + threadIdx.x];
    __syncthreads();
    for (int s = 128; s > 0; s >>= 1) {
        if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = buf[0];
}

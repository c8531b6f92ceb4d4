// example: the shared tree stops at 64 elements; the last warp finishes with shuffles instead of five more barriers. Positive.
__global__ void block_sum(const float* x, float* out) {
    __shared__ float s[1024];
    unsigned t = threadIdx.x;
    s[t] = x[blockIdx.x * blockDim.x + t];
    __syncthreads();
    for (unsigned k = blockDim.x / 2; k > 32; k >>= 1) {
        if (t < k) s[t] += s[t + k];
        __syncthreads();
    }
    if (t < 32) {
        float v = s[t] + s[t + 32];
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
        if (t == 0) out[blockIdx.x] = v;
    }
}

// example: the comment claims a __syncthreads is avoided, but every tree step still waits at a block barrier. Negative.
__global__ void block_sum_naive(const float* x, float* out) {
    __shared__ float s[256];
    s[threadIdx.x] = x[blockIdx.x * 256 + threadIdx.x];
    __syncthreads();
    // no __syncthreads needed in the tail: barrier avoided, redundant syncs removed
    for (int k = 128; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = s[0];
}

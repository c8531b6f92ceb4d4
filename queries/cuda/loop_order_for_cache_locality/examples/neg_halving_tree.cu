// example: the only downward loops halve a stride (tree reduction) or count down without reading memory. Negative.

__global__ void tree_sum(const float* x, float* out) {
    __shared__ float s[256];
    s[threadIdx.x] = x[blockIdx.x * 256 + threadIdx.x];
    __syncthreads();
    for (int stride = 128; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) s[threadIdx.x] += s[threadIdx.x + stride];
        __syncthreads();
    }
    int spins = 0;
    for (int k = 3; k > 0; --k) spins += k;
    if (threadIdx.x == 0) out[blockIdx.x] = s[0] + 0.f * spins;
}

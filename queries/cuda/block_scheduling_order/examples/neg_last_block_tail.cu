// example: the last block handles the tail (blockIdx.x == gridDim.x - 1) and a remaining-count n - blockIdx.x * 256; block order is natural. Negative (near miss).
__global__ void copy_with_tail(const float* in, float* out, int n) {
    int remaining = n - blockIdx.x * 256;
    int count = remaining < 256 ? remaining : 256;
    if (blockIdx.x == gridDim.x - 1 && threadIdx.x >= count) return;
    out[blockIdx.x * 256 + threadIdx.x] = in[blockIdx.x * 256 + threadIdx.x];
}

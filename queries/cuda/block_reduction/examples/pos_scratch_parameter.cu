// example: the kernel owns the __shared__ scratch and hands it to a helper as a pointer; the helper stores
// per-warp partials there, syncs, and warp 0's lanes fold them with shuffles. Positive.
__device__ float sum_over_block(float x, float* partial, int warps) {
    int w = threadIdx.x >> 5, l = threadIdx.x & 31;
    for (int d = 16; d >= 1; d /= 2) x += __shfl_down_sync(0xffffffff, x, d);
    if (l == 0) partial[w] = x;
    __syncthreads();
    x = (l < warps) ? partial[l] : 0.0f;
    for (int d = 16; d >= 1; d /= 2) x += __shfl_down_sync(0xffffffff, x, d);
    return x;
}
__global__ void l1_norms(const float* m, float* norms, int cols) {
    __shared__ float buf[32];
    float acc = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) acc += fabsf(m[blockIdx.x * cols + c]);
    acc = sum_over_block(acc, buf, blockDim.x / 32);
    if (threadIdx.x == 0) norms[blockIdx.x] = acc;
}

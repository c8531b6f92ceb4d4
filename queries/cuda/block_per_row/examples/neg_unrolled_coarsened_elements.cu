// example: thread coarsening over a flat array: the element index is (blockIdx.x * 4 + k) * blockDim.x + tid,
// so the multiplier itself carries the block index; no row is owned by a block. Negative (near miss).
__global__ void add_one(float* x, int n) {
    for (int k = 0; k < 4; ++k) {
        int i = (blockIdx.x * 4 + k) * blockDim.x + threadIdx.x;
        if (i < n) x[i] += 1.0f;
    }
}

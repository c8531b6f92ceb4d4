// example: only a grid-stride loop (grid_stride_loop, not thread coarsening). Negative.
__global__ void add_one(float* x, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) x[i] += 1.0f;
}

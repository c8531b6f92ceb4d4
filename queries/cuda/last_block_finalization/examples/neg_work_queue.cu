// example: the atomic ticket is a dynamic work index compared against the number of tiles, not a last-block test. Negative (near miss).
__global__ void tiles_from_queue(const float* x, float* y, int* next_tile, int num_tiles) {
    __shared__ int tile;
    while (true) {
        if (threadIdx.x == 0) tile = atomicAdd(next_tile, 1);
        __syncthreads();
        if (tile >= num_tiles) return;
        y[tile * 256 + threadIdx.x] = 2.0f * x[tile * 256 + threadIdx.x];
        __syncthreads();
    }
}

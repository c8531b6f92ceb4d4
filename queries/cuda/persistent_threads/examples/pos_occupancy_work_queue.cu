// example: grid from the occupancy calculator times a global SM count, blocks pull tiles from an atomic work counter. Positive.
int g_num_sms;
__global__ void tile_worker(const float* x, float* y, int* next, int num_tiles) {
    __shared__ int tile;
    for (;;) {
        if (threadIdx.x == 0) tile = atomicAdd(next, 1);
        __syncthreads();
        if (tile >= num_tiles) break;
        y[tile * 128 + threadIdx.x] = x[tile * 128 + threadIdx.x] + 1.0f;
        __syncthreads();
    }
}
void init_device() {
    cudaDeviceProp p;
    cudaGetDeviceProperties(&p, 0);
    g_num_sms = p.multiProcessorCount;
}
void launch_tiles(const float* x, float* y, int* next, int num_tiles) {
    int per_sm = 0;
    cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, tile_worker, 128, 0);
    dim3 grid(per_sm * g_num_sms);
    tile_worker<<<grid, 128>>>(x, y, next, num_tiles);
}

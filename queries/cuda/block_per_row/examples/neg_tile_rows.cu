// example: a 2D tiled transpose: blockIdx selects a tile, and the block-stride loop covers a compile-time tile, not a row. Negative (near miss).
#define TILE 32
__global__ void transpose(const float* in, float* out, int width, int height) {
    __shared__ float tile[TILE][TILE + 1];
    int x = blockIdx.x * TILE + threadIdx.x;
    for (int j = threadIdx.y; j < TILE; j += blockDim.y) tile[j][threadIdx.x] = in[(blockIdx.y * TILE + j) * width + x];
    __syncthreads();
    x = blockIdx.y * TILE + threadIdx.x;
    for (int j = threadIdx.y; j < TILE; j += blockDim.y) out[(blockIdx.x * TILE + j) * height + x] = tile[threadIdx.x][j];
}

// example: a tiled copy with padding: each block takes one square tile, and the block-stride loop walks a tile
// side fixed at compile time by a macro whose trailing comment holds a semicolon (the replacement still reads as
// the constant 32). A tile, not a row. Negative (near miss).
#define SIDE 32 // tile side; also the warp width
__global__ void tiled_copy(const float* src, float* dst, int pitch) {
    __shared__ float buf[SIDE][SIDE + 1];
    const int col = blockIdx.x * SIDE + threadIdx.x;
    for (int k = threadIdx.y; k < SIDE; k += blockDim.y) buf[k][threadIdx.x] = src[(blockIdx.y * SIDE + k) * pitch + col];
    __syncthreads();
    for (int k = threadIdx.y; k < SIDE; k += blockDim.y) dst[(blockIdx.y * SIDE + k) * pitch + col] = buf[k][threadIdx.x];
}

// example: a loop over a constant-size register array with no unroll pragma and no named unroll factor. Negative.
#define TILE 4
__global__ void tile_copy(const float* x, float* y) {
    float vals[TILE];
    int base = (blockIdx.x * blockDim.x + threadIdx.x) * TILE;
    for (int k = 0; k < TILE; ++k) vals[k] = x[base + k];
    for (int k = 0; k < TILE; ++k) y[base + k] = 2.0f * vals[k];
}

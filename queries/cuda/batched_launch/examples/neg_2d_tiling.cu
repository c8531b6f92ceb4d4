// example: a 2D grid that tiles ONE matrix: blockIdx.y * TILE + threadIdx.y is a row inside the same tensor. Negative (near miss).
#define TILE 16
__global__ void add_matrices(const float* a, const float* b, float* c, int rows, int cols) {
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    if (row < rows && col < cols) c[row * cols + col] = a[row * cols + col] + b[row * cols + col];
}

// example: each thread walks down its own column for a run-time number of rows, writing every cell through a pointer rebuilt per row. Positive.
__global__ void running_max_down(float* grid, int cols, int rows, long stride) {
    int col = threadIdx.x + blockDim.x * blockIdx.x;
    if (col >= cols) return;
    float best = -3.0e38f;
    for (int r = 0; r < rows; r++) {
        float* cell = grid + r * stride + col;
        best = fmaxf(best, *cell);
        *cell = best;
    }
}

// example: a descending loop that reverses a row; nothing re-reads the data and no cache intent. Negative (near miss).

__global__ void reverse_rows(const float* x, float* y, int n) {
    // reverse order: y holds the row back to front
    for (int i = n - 1 - (int)threadIdx.x; i >= 0; i -= blockDim.x) y[blockIdx.x * n + (n - 1 - i)] = x[blockIdx.x * n + i];
}

// example: split-K GEMV. Each blockIdx.y slice of K writes its own row of partial dot products; a separate reduce
// kernel walks the slices in ascending order per output (no float atomics). Positive (on the reduce kernel).
__global__ void gemv_split(const float* W, const float* x, float* part, int rows, int cols, int per_slice) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    int k0 = blockIdx.y * per_slice;
    float acc = 0.0f;
    for (int k = k0; k < k0 + per_slice && k < cols; ++k) acc += W[(long)r * cols + k] * x[k];
    part[(long)blockIdx.y * rows + r] = acc;
}

__global__ void fold_slices(float* y, const float* part, int rows, int slices) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float total = 0.0f;
    for (int s = 0; s < slices; s++) {
        float p = part[(long)s * rows + r];
        total += p;
    }
    y[r] = total;
}

void gemv(const float* W, const float* x, float* y, float* scratch, int rows, int cols, int slices) {
    dim3 grid((rows + 127) / 128, slices);
    gemv_split<<<grid, 128>>>(W, x, scratch, rows, cols, (cols + slices - 1) / slices);
    fold_slices<<<(rows + 127) / 128, 128>>>(y, scratch, rows, slices);
}

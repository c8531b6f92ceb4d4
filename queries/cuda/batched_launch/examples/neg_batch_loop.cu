// example: several slices handled by a loop inside the kernel; blockIdx.y only appears in a guard. Negative (near miss).
__global__ void scale_batches(float* x, int B, int N, float s) {
    if (blockIdx.y != 0) return;
    for (int b = 0; b < B; ++b) {
        float* slice = x + b * N;
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < N; i += blockDim.x * gridDim.x) slice[i] *= s;
    }
}

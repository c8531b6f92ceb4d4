// example: an extern __shared__ array is declared (left over) but the kernel never touches it. Negative (near miss).
__global__ void scale_rows(const float* x, float* y, float s, int n) {
    extern __shared__ float scratch[];
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = s * x[blockIdx.x * n + i];
}

void launch_scale(const float* x, float* y, int rows, int n) {
    scale_rows<<<rows, 256, n * sizeof(float)>>>(x, y, 2.0f, n);
}

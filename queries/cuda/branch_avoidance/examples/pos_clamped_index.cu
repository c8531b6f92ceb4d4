// example: halo loads clamp their index with min/max so every thread loads unconditionally (no bounds branch). Positive.
__global__ void blur3(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int left = max(i - 1, 0);
    int right = min(i + 1, n - 1);
    float v = x[left] + x[min(i, n - 1)] + x[right];
    if (i < n) y[i] = v * (1.f / 3.f);
}

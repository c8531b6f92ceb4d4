// example: __launch_bounds__(256) spelled directly on the kernel. Positive.
__global__ void __launch_bounds__(256) bias_add(float* y, const float* b, int C, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] += b[i % C];
}

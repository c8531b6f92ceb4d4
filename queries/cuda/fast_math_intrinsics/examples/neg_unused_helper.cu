// example: a helper built on __expf exists but the kernel never calls it. Negative.
__device__ float fast_sigmoid(float v) { return 1.f / (1.f + __expf(-v)); }
__global__ void sigmoid_exact(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = 1.f / (1.f + expf(-x[i]));
}

// example: an __ldg wrapper exists in the file but the kernel reads memory directly. Negative.
__device__ float ro_load(const float* p) { return __ldg(p); }

__global__ void bias_add(const float* x, const float* bias, float* y, int n, int c) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] + bias[i % c];
}

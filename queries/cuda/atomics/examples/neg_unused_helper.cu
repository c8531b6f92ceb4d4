// example: an atomicAdd helper exists in the file but the kernel never calls it. Negative.
__device__ void bump(int* counter) { atomicAdd(counter, 1); }
__global__ void square(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] * x[i];
}

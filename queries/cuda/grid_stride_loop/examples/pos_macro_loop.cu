// example: a CUDA_KERNEL_LOOP-style macro hides the grid-stride for-loop. Positive.
#define KERNEL_LOOP(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)
__global__ void relu_inplace(float* x, int n) {
    KERNEL_LOOP(i, n) {
        x[i] = x[i] > 0.0f ? x[i] : 0.0f;
    }
}

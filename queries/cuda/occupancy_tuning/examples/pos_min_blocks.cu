// example: __launch_bounds__ with a minimum of 2 resident blocks per SM (register cap for occupancy). Positive.
#define BLOCK_THREADS 512
__global__ void __launch_bounds__(BLOCK_THREADS, 2) fused_update(float* p, const float* g, float lr, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) p[i] -= lr * g[i];
}

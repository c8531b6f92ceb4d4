// example: 96 KiB of dynamic shared memory after opting in with cudaFuncSetAttribute. Positive.
#define CUDA_CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) return; } while (0)
__global__ void big_tile(const float* x, float* y, int n) {
    extern __shared__ float tile[];
    for (int i = threadIdx.x; i < n; i += blockDim.x) tile[i] = x[blockIdx.x * n + i];
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = tile[n - 1 - i];
}

void launch_big_tile(const float* x, float* y, int rows) {
    const int n = 24576;
    size_t smem = n * sizeof(float);  // 96 KiB
    CUDA_CHECK(cudaFuncSetAttribute(big_tile, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    big_tile<<<rows, 512, smem>>>(x, y, n);
}

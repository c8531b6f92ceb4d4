// example: cudaFuncSetAttribute sets the shared-memory carveout, not the dynamic size limit. Negative (near miss).
__global__ void carve(const float* x, float* y) {
    extern __shared__ float buf[];
    buf[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
    __syncthreads();
    y[blockIdx.x * blockDim.x + threadIdx.x] = buf[blockDim.x - 1 - threadIdx.x];
}

void launch_carve(const float* x, float* y, int blocks) {
    cudaFuncSetAttribute(carve, cudaFuncAttributePreferredSharedMemoryCarveout, 100);
    carve<<<blocks, 256, 256 * sizeof(float)>>>(x, y);
}

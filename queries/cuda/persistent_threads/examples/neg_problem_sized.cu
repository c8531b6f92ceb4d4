// example: a grid-stride kernel, but the grid is sized from the problem (ceil-div of n); the SM count is queried only to print it. Negative (near miss).
#include <stdio.h>
__global__ void scale(float* x, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) x[i] *= 3.0f;
}
void launch_scale(float* x, int n) {
    cudaDeviceProp prop;
    cudaGetDeviceProperties(&prop, 0);
    printf("SMs: %d\n", prop.multiProcessorCount);
    int grid = (n + 255) / 256;
    scale<<<grid, 256>>>(x, n);
}

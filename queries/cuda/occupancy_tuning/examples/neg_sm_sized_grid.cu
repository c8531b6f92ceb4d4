// example: the SM count sizes the grid (persistent launch) while the block size is a fixed 256; nothing sets resident blocks per SM. Negative (near miss).
__global__ void fill(float* x, int n, float v) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) x[i] = v;
}
void launch_fill(float* x, int n, float v) {
    cudaDeviceProp prop;
    cudaGetDeviceProperties(&prop, 0);
    fill<<<prop.multiProcessorCount * 2, 256>>>(x, n, v);
}

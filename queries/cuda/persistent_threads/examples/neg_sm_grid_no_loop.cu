// example: one block per SM, but each block handles exactly one item: no loop over work items. Negative.
__global__ void per_sm_stat(const float* x, float* out) {
    out[blockIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
}
void launch_stat(const float* x, float* out) {
    cudaDeviceProp prop;
    cudaGetDeviceProperties(&prop, 0);
    per_sm_stat<<<prop.multiProcessorCount, 128>>>(x, out);
}

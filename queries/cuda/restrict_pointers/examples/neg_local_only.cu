// example: the parameters are plain pointers; only a local alias is restrict-qualified. Negative (near miss).
__global__ void scale_local(const float* x, float* y, float a, int n) {
    const float* __restrict__ in = x;   // not a parameter: does not count
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * in[i];
}

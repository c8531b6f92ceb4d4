// example: the classic element-wise grid-stride loop, stride blockDim.x * gridDim.x held in a local variable. Positive.
__global__ void saxpy(int n, float a, const float* x, float* y) {
    const int stride = blockDim.x * gridDim.x;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) y[i] = a * x[i] + y[i];
}

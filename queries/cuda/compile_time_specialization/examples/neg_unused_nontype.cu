// example: a non-type template parameter is declared but never used by the kernel, and a constexpr local is not a specialisation. Negative.
template <typename T, int UNUSED_TAG>
__global__ void copy_kernel(const T* x, T* y, int n) {
    constexpr int stride = 1;
    int i = (blockIdx.x * blockDim.x + threadIdx.x) * stride;
    if (i < n) y[i] = x[i];
}

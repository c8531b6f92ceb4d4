// example: an axpy over half2 pairs with __hfma2, two lanes per instruction. Positive.
#include <cuda_fp16.h>
__global__ void axpy_h2(const half2* x, half2* y, half2 alpha, int n2) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n2) y[i] = __hfma2(alpha, x[i], y[i]);
}

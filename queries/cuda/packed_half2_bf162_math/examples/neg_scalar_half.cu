// example: scalar half arithmetic (__hadd/__hmul on single halves) is not packed 2-wide math. Negative.
#include <cuda_fp16.h>
__global__ void scale_half(const half* x, half* y, half s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = __hadd(__hmul(x[i], s), x[i]);
}

// example: a half-precision helper exists in the file but the fp32 kernel never calls it. Negative.
#include <cuda_fp16.h>
__device__ float load_half(const half* p) { return __half2float(*p); }
__global__ void scale(const float* x, float* y, float s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = s * x[i];
}

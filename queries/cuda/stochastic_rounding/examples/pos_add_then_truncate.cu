// example: random low bits (passed in per element) are added to the float's bits, then the low half is truncated. Positive.
#include <cuda_bf16.h>
__global__ void downcast_sr(const float* x, const unsigned int* rnd, __nv_bfloat16* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned int r = rnd[i];
    unsigned int bits = *reinterpret_cast<const unsigned int*>(&x[i]);
    bits = (bits + (r & 0xFFFFu)) & 0xFFFF0000u;
    y[i] = __float2bfloat16(__uint_as_float(bits));
}

// example: manual round-to-nearest-even on the bits: the added bias comes from the bits themselves, not from randomness. Negative (near miss).
#include <cuda_bf16.h>
__global__ void downcast_rne(const float* x, __nv_bfloat16* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned int bits = __float_as_uint(x[i]);
    unsigned int lsb = (bits >> 16) & 1u;
    bits = (bits + 0x7FFFu + lsb) & 0xFFFF0000u;
    y[i] = __float2bfloat16(__uint_as_float(bits));
}

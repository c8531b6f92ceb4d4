// example: plain __float2bfloat16_rn conversion; a random hash is used only for dropout, not for rounding. Negative.
#include <cuda_bf16.h>
__device__ unsigned int hash32(unsigned int v) { v ^= v >> 16; v *= 0x7FEB352Du; v ^= v >> 15; return v; }
__global__ void dropout_bf16(const float* x, __nv_bfloat16* y, unsigned int seed, float keep, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    unsigned int r = hash32(i ^ seed);
    float v = (r & 0xFFFF) < (unsigned int)(keep * 65536.f) ? x[i] / keep : 0.f;
    y[i] = __float2bfloat16_rn(v);
}

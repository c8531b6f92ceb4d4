// example: fp32 buffers, but a device helper stores a bf16 copy through __float2bfloat16; the kernel calls it. Positive.
#include <cuda_bf16.h>
__device__ void store_bf16(unsigned short* dst, float v) {
    __nv_bfloat16 h = __float2bfloat16(v);
    *dst = *reinterpret_cast<unsigned short*>(&h);
}
__global__ void shadow_copy(const float* master, unsigned short* shadow, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) store_bf16(shadow + i, master[i]);
}

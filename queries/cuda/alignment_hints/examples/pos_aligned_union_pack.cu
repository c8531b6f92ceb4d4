// example: a union declared with CUDA's __align__ so that eight halves move as one 16-byte word. Positive.
#include <cuda_fp16.h>

union __align__(16) HalfOctet {
    uint4 word;
    __half lanes[8];
};

__global__ void copy_octets(const HalfOctet* __restrict__ src, HalfOctet* __restrict__ dst, int count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) {
        HalfOctet v = src[i];
        dst[i] = v;
    }
}

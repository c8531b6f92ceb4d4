// example: the dropped 16 bits of the fp32 pattern are compared with hashed random bits to round up or down before the bf16 cast. Positive.
#include <cuda_bf16.h>
__device__ __forceinline__ unsigned int mix_noise(unsigned int a, unsigned int b, unsigned int seed) {
    unsigned int h = a * 0x9E3779B1u ^ (b + seed) * 0x85EBCA77u;
    h ^= h >> 15; h *= 0xC2B2AE3Du; h ^= h >> 13;
    return h;
}
__device__ __forceinline__ void round_to_bf16(float in, __nv_bfloat16* out, unsigned int seed) {
    unsigned int noise = mix_noise(threadIdx.x, blockIdx.x, seed);
    unsigned int threshold = noise & 0xFFFF;
    unsigned int bits = __float_as_uint(in);
    unsigned int dropped = bits & 0xFFFF;
    bits = dropped > threshold ? (bits | 0xFFFF) + 1 : bits & ~0xFFFFu;
    *out = __float2bfloat16_rn(__uint_as_float(bits));
}
__global__ void sgd_update(__nv_bfloat16* params, const float* master, const float* grads, float lr, unsigned int seed, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) round_to_bf16(master[i] - lr * grads[i], &params[i], seed);
}

// example: a float max built on atomicCAS inside a device helper, invoked through a macro. Positive.
__device__ float atomic_max_float(float* address, float value) {
    unsigned int* word = (unsigned int*)address;
    unsigned int old = *word, assumed;
    do {
        assumed = old;
        old = atomicCAS(word, assumed, __float_as_uint(fmaxf(value, __uint_as_float(assumed))));
    } while (assumed != old);
    return __uint_as_float(old);
}
#define UPDATE_MAX(p, v) atomic_max_float((p), (v))
__global__ void global_max(const float* x, float* result, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) UPDATE_MAX(result, x[i]);
}

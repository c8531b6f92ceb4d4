// example: a predeclared per-thread index stepping through a compile-time range (two iterations). Negative.
#define SPAN 8
__global__ void two_taps(const float* src, float* dst) {
    int k = threadIdx.x % 4;
    float acc = 0.0f;
    for (; k < SPAN; k += 4) acc += src[blockIdx.x * SPAN + k];
    dst[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

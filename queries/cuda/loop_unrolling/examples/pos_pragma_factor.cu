// example: a partial unroll with an explicit factor (#pragma unroll 4) on a strided accumulation loop. Positive.
#define BLOCK 256
__global__ void partial_sums(const float* x, float* out, int n) {
    float acc = 0.0f;
#pragma unroll 4
    for (int i = threadIdx.x; i < n; i += BLOCK) acc += x[blockIdx.x * n + i];
    out[blockIdx.x * BLOCK + threadIdx.x] = acc;
}

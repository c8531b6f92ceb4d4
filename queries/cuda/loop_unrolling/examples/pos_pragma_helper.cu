// example: a device helper fully unrolls its fixed 8-step loop with #pragma unroll; the kernel calls it. Positive.
__device__ float dot8(const float* a, const float* b) {
    float acc = 0.f;
    #pragma unroll
    for (int k = 0; k < 8; ++k) acc += a[k] * b[k];
    return acc;
}
__global__ void rows_dot(const float* a, const float* b, float* out, int rows) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < rows) out[r] = dot8(a + r * 8, b + r * 8);
}

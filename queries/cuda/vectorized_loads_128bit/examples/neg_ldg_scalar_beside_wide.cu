// example: the kernel has a `float4` parameter it never reads; its only load intrinsic reads scalar floats. Negative.
__global__ void scale_scalar(const float* __restrict__ src, const float4* __restrict__ unused_wide,
                             float* __restrict__ dst, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dst[i] = 2.0f * __ldg(src + i);
}

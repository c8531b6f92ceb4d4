// example: __restrict__ appears in a comment and on a device helper's parameters only. Negative.
__device__ float dot3(const float* __restrict__ a, const float* __restrict__ b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
// TODO: mark x and y as __restrict__ once aliasing is ruled out
__global__ void dots(const float* x, const float* y, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = dot3(x + 3 * i, y + 3 * i);
}

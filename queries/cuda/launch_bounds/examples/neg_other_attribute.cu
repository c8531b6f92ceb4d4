// example: the kernel carries other attributes (a __noinline__ helper, __restrict__ pointers) but no launch bounds. Negative.
struct Pair { float a, b, c, d; };
__noinline__ __device__ float twice(float v) { return 2.0f * v; }
__global__ void doubled(const Pair* __restrict__ in, Pair* __restrict__ out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { out[i].a = twice(in[i].a); }
}

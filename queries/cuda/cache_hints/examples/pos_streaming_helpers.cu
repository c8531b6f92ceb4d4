// example: small wrappers around __ldcs/__stcs, used by the kernel for data read and written once. Positive.
__device__ __forceinline__ float load_stream(const float* p) { return __ldcs(p); }
__device__ __forceinline__ void store_stream(float* p, float v) { __stcs(p, v); }

__global__ void residual_add(const float* a, const float* b, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) store_stream(out + i, load_stream(a + i) + load_stream(b + i));
}

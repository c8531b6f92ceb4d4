// example: #pragma unroll 1 explicitly forbids unrolling, and "#pragma unroll" appears only in a comment. Negative (near miss).
__global__ void serial_sum(const float* x, float* out, int n) {
    float acc = 0.f;
    // #pragma unroll would help here, but code size matters more
    #pragma unroll 1
    for (int i = threadIdx.x; i < n; i += blockDim.x) acc += x[i];
    out[threadIdx.x] = acc;
}

// example: a butterfly max through a macro wrapping __shfl_xor_sync, combined with fmaxf. Positive.
#define SHFL_XOR(v, m) __shfl_xor_sync(0xffffffff, (v), (m))
__global__ void row_max(const float* x, float* out, int n) {
    float m = -1e30f;
    for (int i = threadIdx.x; i < n; i += warpSize) m = fmaxf(m, x[blockIdx.x * n + i]);
    #pragma unroll
    for (int mask = 16; mask >= 1; mask /= 2) m = fmaxf(m, SHFL_XOR(m, mask));
    if (threadIdx.x == 0) out[blockIdx.x] = m;
}

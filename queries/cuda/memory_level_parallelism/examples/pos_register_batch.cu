// example: UNROLL loads gathered into a register array first, then consumed; comment states the intent. Positive.
#define UNROLL 4

__global__ void scaled_sum(const float* x, float* out, float s, int n) {
    float vals[UNROLL];
    int base = blockIdx.x * blockDim.x * UNROLL + threadIdx.x;
    // issue all UNROLL loads first so they are in flight together (memory level parallelism)
    #pragma unroll
    for (int u = 0; u < UNROLL; ++u) vals[u] = x[base + u * blockDim.x];
    float acc = 0.f;
    #pragma unroll
    for (int u = 0; u < UNROLL; ++u) acc += s * vals[u];
    out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

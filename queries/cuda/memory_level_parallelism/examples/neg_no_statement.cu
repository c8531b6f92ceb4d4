// example: the same batched register loads, with no statement of intent. Negative (near miss).
#define UNROLL 4

__global__ void scaled_sum_plain(const float* x, float* out, float s, int n) {
    float vals[UNROLL];
    int base = blockIdx.x * blockDim.x * UNROLL + threadIdx.x;
    #pragma unroll
    for (int u = 0; u < UNROLL; ++u) vals[u] = x[base + u * blockDim.x];
    float acc = 0.f;
    for (int u = 0; u < UNROLL; ++u) acc += s * vals[u];
    out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

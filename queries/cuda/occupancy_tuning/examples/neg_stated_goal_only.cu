// example: register-pressure code whose comment states an occupancy goal, but nothing in the code (launch bounds, register cap, occupancy API) controls residency. Negative.
template <int UNROLL>
__global__ void dot_rows(const float* a, const float* b, float* out, int C) {
    // keep only UNROLL accumulators live so the kernel stays under 64 registers: 4 blocks per SM occupancy
    float acc[UNROLL];
    for (int u = 0; u < UNROLL; ++u) acc[u] = 0.0f;
    for (int i = threadIdx.x; i < C; i += blockDim.x * UNROLL)
        for (int u = 0; u < UNROLL; ++u) acc[u] += a[blockIdx.x * C + i + u * blockDim.x] * b[i + u * blockDim.x];
    float s = 0.0f;
    for (int u = 0; u < UNROLL; ++u) s += acc[u];
    out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

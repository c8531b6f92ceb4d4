// example: UNROLL-wide result array accumulated with fmaf (self-referencing form); each weight is reused UNROLL times. Positive.
#define UNROLL 4

__global__ void conv1d_unrolled(const float* x, const float* w, float* y, int n, int taps) {
    float acc[UNROLL] = {0.f, 0.f, 0.f, 0.f};
    int base = blockIdx.x * blockDim.x * UNROLL + threadIdx.x;
    for (int t = 0; t < taps; ++t) {
        float wt = w[t];
        for (int u = 0; u < UNROLL; ++u) acc[u] = fmaf(wt, x[base + u * blockDim.x + t], acc[u]);
    }
    for (int u = 0; u < UNROLL; ++u) if (base + u * blockDim.x < n) y[base + u * blockDim.x] = acc[u];
}

// example: a local array used only as a staging buffer (load all, then store all); nothing accumulates. Negative (near miss).
#define UNROLL 4
__global__ void copy_unrolled(const float* x, float* y, int n) {
    float buf[UNROLL];
    int base = blockIdx.x * blockDim.x * UNROLL + threadIdx.x;
    for (int u = 0; u < UNROLL; ++u) buf[u] = x[base + u * blockDim.x];
    for (int u = 0; u < UNROLL; ++u) y[base + u * blockDim.x] = 2.f * buf[u];
}

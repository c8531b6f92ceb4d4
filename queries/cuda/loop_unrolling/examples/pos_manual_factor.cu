// example: manual unrolling: a template unroll factor sizes a register array that is filled and drained in loops. Positive.
template <int UNROLL_FACTOR>
__global__ void scale_unrolled(const float* x, float* y, float s, int n) {
    float regs[UNROLL_FACTOR];
    int base = (blockIdx.x * blockDim.x + threadIdx.x) * UNROLL_FACTOR;
    if (base + UNROLL_FACTOR > n) return;
    for (int u = 0; u < UNROLL_FACTOR; ++u) regs[u] = x[base + u];
    for (int u = 0; u < UNROLL_FACTOR; ++u) y[base + u] = regs[u] * s;
}
void launch_scale(const float* x, float* y, float s, int n) {
    scale_unrolled<4><<<(n / 4 + 255) / 256, 256>>>(x, y, s, n);
}

// example: two independent loops that each start their own counter (no main part + remainder split). Negative.
__global__ void two_passes(const float* x, float* y, int n) {
    float m = -1e30f;
    for (int i = threadIdx.x; i < n - 1; i += blockDim.x) m = fmaxf(m, x[i] - x[i + 1]);
    for (int j = threadIdx.x; j < n; j += blockDim.x) y[j] = x[j] - m;
}

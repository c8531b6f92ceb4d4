// example: accurate expf/logf and 1/sqrtf only; "__expf" appears in a comment and a string. Negative (near miss).
__device__ const char variant_name[] = "__expf-free log-softmax";
__global__ void log_softmax(const float* x, float* y, int n) {
    // could switch to __expf for speed
    const float* row = x + blockIdx.x * n;
    float m = -1e30f, s = 0.f;
    for (int i = 0; i < n; ++i) m = fmaxf(m, row[i]);
    for (int i = 0; i < n; ++i) s += expf(row[i] - m);
    float inv_norm = 1.0f / sqrtf((float)n);
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = (row[i] - m - logf(s)) * inv_norm;
}

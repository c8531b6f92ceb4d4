// example: two-pass variance (mean first, then the sum of (x - mean)^2) and division by the sum inside the loop. Negative (near miss).
__global__ void ln_two_pass(const float* x, float* y, int C) {
    const float* r = x + blockIdx.x * C;
    float s = 0.f;
    for (int i = 0; i < C; ++i) s += r[i];
    float mean = s / C;
    float var = 0.f;
    for (int i = 0; i < C; ++i) { float d = r[i] - mean; var += d * d; }
    float denom = sqrtf(var / C + 1e-5f);
    for (int i = threadIdx.x; i < C; i += blockDim.x) y[blockIdx.x * C + i] = (r[i] - mean) / denom;
}

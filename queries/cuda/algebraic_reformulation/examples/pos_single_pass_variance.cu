// example: layernorm statistics in one pass: sum and sum of squares together, then var = E[x^2] - mean*mean. Positive.
__global__ void ln_stats(const float* x, float* mean_out, float* rstd_out, int C) {
    const float* r = x + blockIdx.x * C;
    float s = 0.f, ss = 0.f;
    for (int i = 0; i < C; ++i) { float v = r[i]; s += v; ss += v * v; }
    float mean = s / C;
    float var = ss / C - mean * mean;
    mean_out[blockIdx.x] = mean;
    rstd_out[blockIdx.x] = rsqrtf(var + 1e-5f);
}

// example: "fused" layernorm: mean, rstd and normalise in one kernel are still a single operation. Negative (near miss).
// fused layernorm kernel
__global__ void layernorm_fused(float* out, float* mean_out, float* rstd_out, const float* x, const float* w, const float* b, int C) {
    const float* r = x + blockIdx.x * C;
    float mean = 0.f;
    for (int i = 0; i < C; ++i) mean += r[i];
    mean /= C;
    float var = 0.f;
    for (int i = 0; i < C; ++i) { float d = r[i] - mean; var += d * d; }
    float rstd = rsqrtf(var / C + 1e-5f);
    for (int i = threadIdx.x; i < C; i += blockDim.x) out[blockIdx.x * C + i] = (r[i] - mean) * rstd * w[i] + b[i];
    if (threadIdx.x == 0) { mean_out[blockIdx.x] = mean; rstd_out[blockIdx.x] = rstd; }
}

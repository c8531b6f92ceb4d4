// example: 1/sqrt(head size) is a constant scale, not a normalisation term, and rsqrtf(var + eps) is just the layernorm formula. Negative (near miss).
__global__ void scale_and_norm(const float* q, float* out, float* rstd_out, int hs, int C) {
    float scale = 1.0f / sqrtf((float)hs);
    for (int i = threadIdx.x; i < hs; i += blockDim.x) out[blockIdx.x * hs + i] = q[blockIdx.x * hs + i] * scale;
    const float* r = q + blockIdx.x * C;
    float mean = 0.f, var = 0.f;
    for (int i = 0; i < C; ++i) mean += r[i];
    mean /= C;
    for (int i = 0; i < C; ++i) var += (r[i] - mean) * (r[i] - mean);
    float rstd = rsqrtf(var / C + 1e-5f);
    if (threadIdx.x == 0) rstd_out[blockIdx.x] = rstd;
}

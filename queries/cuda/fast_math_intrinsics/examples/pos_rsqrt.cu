// example: rms normalisation using rsqrtf (medium confidence) and __saturatef on the result. Positive.
__global__ void rms_clamped(const float* x, float* y, int C) {
    const float* r = x + blockIdx.x * C;
    float ss = 0.f;
    for (int i = 0; i < C; ++i) ss += r[i] * r[i];
    float inv = rsqrtf(ss / C + 1e-5f);
    for (int i = threadIdx.x; i < C; i += blockDim.x) y[blockIdx.x * C + i] = __saturatef(r[i] * inv);
}

// example: attention probabilities: scores scaled by a parameter, softmax, and the future positions written as zero. Positive.

__global__ void probs(float* p, const float* s, int T, float inv_sqrt_d) {
    int row = blockIdx.x, q = row % T;
    const float* in = s + (size_t)row * T;
    float hi = -1e30f;
    for (int c = 0; c <= q; ++c) hi = fmaxf(hi, in[c] * inv_sqrt_d);
    float z = 0.f;
    for (int c = 0; c <= q; ++c) { float w = in[c] * inv_sqrt_d; z += expf(w - hi); }
    for (int c = 0; c < T; ++c) p[(size_t)row * T + c] = (c > q) ? 0.f : expf(in[c] * inv_sqrt_d - hi) / z;
}

// example: a running sum scaled by exp(-rate * dt) (an exponential moving average), not by a change of maximum. Negative.
__global__ void ema(const float* x, const float* dt, float* out, float rate, int T) {
    float s = 0.f, peak = 0.f;
    for (int t = 0; t < T; ++t) {
        peak = fmaxf(peak, x[blockIdx.x * T + t]);
        s = s * expf(-rate * dt[t]) + x[blockIdx.x * T + t];
    }
    out[blockIdx.x] = s / peak;
}

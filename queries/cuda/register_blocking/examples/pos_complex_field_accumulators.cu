// example: each thread accumulates 4 complex outputs (float2 fields) so every filter tap is reused 4 times. Positive.
#define OUTS 4

__global__ void complex_fir(const float2* x, const float* taps, float2* y, int n, int ntaps) {
    int first = (blockIdx.x * blockDim.x + threadIdx.x) * OUTS;
    float2 sum[OUTS];
    for (int o = 0; o < OUTS; ++o) sum[o] = make_float2(0.f, 0.f);
    for (int t = 0; t < ntaps; ++t) {
        float h = taps[t];
        for (int o = 0; o < OUTS; ++o) {
            float2 s = x[first + o + t];
            sum[o].x = fmaf(h, s.x, sum[o].x);
            sum[o].y = fmaf(h, s.y, sum[o].y);
        }
    }
    for (int o = 0; o < OUTS; ++o) if (first + o < n) y[first + o] = sum[o];
}

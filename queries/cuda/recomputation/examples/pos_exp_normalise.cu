// example: the sum pass keeps exp(x - max) in registers only; the output pass recomputes it instead of reloading it. Positive.
#include <math.h>
__global__ void softmax_recompute(const float* x, float* y, float inv_temp, int C) {
    const float* r = x + blockIdx.x * C;
    float m = -INFINITY;
    for (int i = 0; i < C; ++i) m = fmaxf(m, r[i]);
    float s = 0.f;
    for (int i = 0; i < C; ++i) s += expf(inv_temp * (r[i] - m));
    float norm = 1.f / s;
    for (int i = threadIdx.x; i < C; i += blockDim.x) {
        float e = expf(inv_temp * (r[i] - m));
        __stcs(y + blockIdx.x * C + i, e * norm);
    }
}

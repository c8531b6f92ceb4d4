// example: the exponentials are written to the output in the sum pass and read back for normalisation (store and reload). Negative (near miss).
#include <math.h>
__global__ void softmax_store(const float* x, float* y, int C) {
    const float* r = x + blockIdx.x * C;
    float* o = y + blockIdx.x * C;
    float m = -INFINITY;
    for (int i = 0; i < C; ++i) m = fmaxf(m, r[i]);
    float s = 0.f;
    for (int i = 0; i < C; ++i) { o[i] = expf(r[i] - m); s += o[i]; }
    for (int i = 0; i < C; ++i) o[i] = o[i] / s;
}

// example: classic softmax: max pass, then sum += exp(x - max), then normalise; no running rescale. Negative (near miss).
#include <math.h>
__global__ void softmax_three_pass(const float* x, float* y, int C) {
    const float* row = x + blockIdx.x * C;
    float m = -INFINITY;
    for (int i = 0; i < C; ++i) m = fmaxf(m, row[i]);
    float s = 0.f;
    for (int i = 0; i < C; ++i) s += expf(row[i] - m);
    float inv = 1.f / s;
    for (int i = threadIdx.x; i < C; i += blockDim.x) y[blockIdx.x * C + i] = expf(row[i] - m) * inv;
}

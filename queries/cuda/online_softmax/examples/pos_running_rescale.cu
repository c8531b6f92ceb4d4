// example: one pass over the row keeps a running max and rescales the running sum by exp(old max - new max). Positive.
#include <math.h>
__global__ void softmax_online(const float* x, float* y, int C) {
    const float* row = x + blockIdx.x * C;
    float m = -INFINITY, s = 0.f;
    for (int i = 0; i < C; ++i) {
        float m_new = fmaxf(m, row[i]);
        s = s * expf(m - m_new) + expf(row[i] - m_new);
        m = m_new;
    }
    for (int i = threadIdx.x; i < C; i += blockDim.x) y[blockIdx.x * C + i] = expf(row[i] - m) / s;
}

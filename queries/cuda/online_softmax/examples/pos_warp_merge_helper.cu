// example: per-lane (max, sum) pairs merged across the warp in a helper with a correction factor held in a variable. Positive.
#include <float.h>
struct MaxSum { float m; float s; };
__device__ MaxSum merge_lanes(MaxSum a) {
    for (int off = 16; off > 0; off >>= 1) {
        float m_other = __shfl_xor_sync(0xffffffffu, a.m, off);
        float s_other = __shfl_xor_sync(0xffffffffu, a.s, off);
        float m_new = fmaxf(a.m, m_other);
        float keep = __expf(a.m - m_new);
        a.s = a.s * keep + s_other * __expf(m_other - m_new);
        a.m = m_new;
    }
    return a;
}
__global__ void row_logsumexp(const float* x, float* out, int C) {
    MaxSum acc = {-FLT_MAX, 0.f};
    for (int i = threadIdx.x; i < C; i += 32) {
        float v = x[blockIdx.x * C + i];
        float old = acc.m;
        acc.m = fmaxf(acc.m, v);
        acc.s *= __expf(old - acc.m);
        acc.s += __expf(v - acc.m);
    }
    acc = merge_lanes(acc);
    if (threadIdx.x == 0) out[blockIdx.x] = acc.m + logf(acc.s);
}

// example: attention scale, causal mask and softmax of one score row in a single kernel (scale applied inside exp). Positive.
#include <float.h>
__global__ void scaled_causal_softmax(float* att, const float* scores, float scale, int T) {
    int t = blockIdx.x;
    const float* row = scores + t * T;
    float m = -FLT_MAX;
    for (int j = 0; j <= t; ++j) m = fmaxf(m, row[j]);
    float sum = 0.f;
    for (int j = 0; j <= t; ++j) sum += expf(scale * (row[j] - m));
    for (int j = threadIdx.x; j < T; j += blockDim.x) {
        float p = expf(scale * (row[j] - m)) / sum;
        if (j > t) p = -FLT_MAX;
        att[t * T + j] = j > t ? 0.f : p;
    }
}

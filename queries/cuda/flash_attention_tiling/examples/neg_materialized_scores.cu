// example: attention that writes all T x T scores to global memory, then a separate max/sum softmax pass, then P@V. Negative (near miss).
#include <math.h>
__global__ void attention_naive(const float* Q, const float* K, const float* V, float* scores, float* O, int T, int d) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= T) return;
    float m = -INFINITY;
    for (int j = 0; j < T; ++j) {
        float s = 0.f;
        for (int c = 0; c < d; ++c) s += Q[t * d + c] * K[j * d + c];
        scores[t * T + j] = s;
        m = fmaxf(m, s);
    }
    float l = 0.f;
    for (int j = 0; j < T; ++j) { scores[t * T + j] = expf(scores[t * T + j] - m); l += scores[t * T + j]; }
    for (int c = 0; c < d; ++c) {
        float acc = 0.f;
        for (int j = 0; j < T; ++j) acc += scores[t * T + j] * V[j * d + c];
        O[t * d + c] = acc / l;
    }
}

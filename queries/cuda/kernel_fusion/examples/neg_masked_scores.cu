// example: Q.K^T scores with the causal positions set to -INFINITY: a matmul that masks its own output is one operation. Negative (near miss).
#include <math.h>
__global__ void masked_qk(float* preatt, const float* q, const float* k, int T, int hs) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    int t = idx / T, t2 = idx % T;
    if (t >= T) return;
    if (t2 > t) { preatt[idx] = -INFINITY; return; }
    float val = 0.f;
    for (int i = 0; i < hs; ++i) val += q[t * hs + i] * k[t2 * hs + i];
    preatt[idx] = val * (1.0f / sqrtf((float)hs));
}

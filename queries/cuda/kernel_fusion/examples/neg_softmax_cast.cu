// example: a softmax that also converts its output to bf16: a dtype cast is not a second operation. Negative.
#include <cuda_bf16.h>
#include <math.h>
__global__ void softmax_bf16_out(__nv_bfloat16* y, const float* x, int C) {
    const float* r = x + blockIdx.x * C;
    float m = -INFINITY;
    for (int i = 0; i < C; ++i) m = fmaxf(m, r[i]);
    float s = 0.f;
    for (int i = 0; i < C; ++i) s += expf(r[i] - m);
    for (int i = threadIdx.x; i < C; i += blockDim.x) y[blockIdx.x * C + i] = __float2bfloat16(expf(r[i] - m) / s);
}

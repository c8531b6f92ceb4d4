// example: K/V tiles staged in shared memory; per tile QK^T, online max/sum and a rescaled output accumulator. Positive.
#include <math.h>
#define BC 32
#define HD 64
__global__ void flash_fwd(const float* Q, const float* K, const float* V, float* O, int T, float scale) {
    __shared__ float Ks[BC][HD];
    __shared__ float Vs[BC][HD];
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    const float* q = Q + (blockIdx.y * T + row) * HD;
    float acc[HD];
    for (int d = 0; d < HD; ++d) acc[d] = 0.f;
    float m = -INFINITY, l = 0.f;
    for (int j0 = 0; j0 < T; j0 += BC) {
        for (int d = threadIdx.x; d < BC * HD; d += blockDim.x) {
            Ks[d / HD][d % HD] = K[(blockIdx.y * T + j0) * HD + d];
            Vs[d / HD][d % HD] = V[(blockIdx.y * T + j0) * HD + d];
        }
        __syncthreads();
        for (int j = 0; j < BC; ++j) {
            float s = 0.f;
            for (int d = 0; d < HD; ++d) s += q[d] * Ks[j][d];
            s *= scale;
            float m_new = fmaxf(m, s);
            float corr = expf(m - m_new);
            float p = expf(s - m_new);
            l = l * corr + p;
            for (int d = 0; d < HD; ++d) acc[d] = acc[d] * corr + p * Vs[j][d];
            m = m_new;
        }
        __syncthreads();
    }
    for (int d = 0; d < HD; ++d) O[(blockIdx.y * T + row) * HD + d] = acc[d] / l;
}

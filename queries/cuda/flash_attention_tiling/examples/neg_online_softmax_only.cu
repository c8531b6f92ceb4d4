// example: an online softmax over precomputed scores in shared memory; no QK^T and no value accumulation. Negative.
#include <math.h>
__global__ void softmax_rows(const float* S, float* P, int T) {
    __shared__ float row[1024];
    for (int j = threadIdx.x; j < T; j += blockDim.x) row[j] = S[blockIdx.x * T + j];
    __syncthreads();
    if (threadIdx.x != 0) return;
    float m = -INFINITY, l = 0.f;
    for (int j = 0; j < T; ++j) {
        float m_new = fmaxf(m, row[j]);
        l = l * expf(m - m_new) + expf(row[j] - m_new);
        m = m_new;
    }
    for (int j = 0; j < T; ++j) P[blockIdx.x * T + j] = expf(row[j] - m) / l;
}

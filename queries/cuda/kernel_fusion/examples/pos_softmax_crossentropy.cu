// example: softmax, cross-entropy loss and the logits gradient in one kernel (helpers for max and the loss). Positive.
#include <math.h>
__device__ float row_max(const float* v, int n) { float m = -INFINITY; for (int i = 0; i < n; ++i) m = fmaxf(m, v[i]); return m; }
__global__ void classifier_fused(float* dlogits, float* losses, const float* logits, const int* targets, int V) {
    const float* row = logits + blockIdx.x * V;
    int ix = targets[blockIdx.x];
    float m = row_max(row, V);
    float sum = 0.f;
    for (int i = 0; i < V; ++i) sum += expf(row[i] - m);
    if (threadIdx.x == 0) losses[blockIdx.x] = logf(sum) + m - row[ix];
    for (int i = threadIdx.x; i < V; i += blockDim.x) {
        float p = expf(row[i] - m) / sum;
        dlogits[blockIdx.x * V + i] = p - (i == ix ? 1.f : 0.f);
    }
}

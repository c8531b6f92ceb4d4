// example: softmax statistics computed by a helper walking the row backwards, commented as cache-motivated. Positive.

struct Stats { float max; float sum; };

__device__ Stats row_stats(const float* x, int n) {
    float m = -1e30f, s = 0.f;
    // walk backwards so the forward pass below starts on lines still in L2
    for (int i = n - 1 - (int)threadIdx.x; i >= 0; i -= blockDim.x) {
        float v = x[i];
        float m2 = fmaxf(m, v);
        s = s * expf(m - m2) + expf(v - m2);
        m = m2;
    }
    return Stats{m, s};
}

__global__ void softmax_rows(const float* x, float* y, int n) {
    Stats st = row_stats(x + blockIdx.x * n, n);
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = expf(x[blockIdx.x * n + i] - st.max) / st.sum;
}

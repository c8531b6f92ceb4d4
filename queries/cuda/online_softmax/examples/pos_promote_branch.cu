// example: one sweep per thread keeps a (max, sum) pair; when a value exceeds the running max the sum is rescaled by exp(old max - value) and the value becomes the max, otherwise exp(value - max) is added; positive.

struct Stats { float m; float s; };

__global__ void row_stats(const float* __restrict__ x, Stats* __restrict__ out, int cols) {
    const float* row = x + (size_t)blockIdx.x * cols;
    Stats st{ -1e30f, 0.f };
    for (int i = threadIdx.x; i < cols; i += blockDim.x) {
        const float v = row[i];
        if (v > st.m) { st.s = st.s * __expf(st.m - v) + 1.f; st.m = v; }
        else          { st.s += __expf(v - st.m); }
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = st;
}

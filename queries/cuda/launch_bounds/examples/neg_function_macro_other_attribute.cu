// example: a function-like macro in the same place that stands for an alignment attribute, not the launch
// bounds. Negative.
#define ALIGNED_TO(n) __align__(n)

struct ALIGNED_TO(16) Pair { float a, b, c, d; };

__global__ void sum_pairs(const Pair* p, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = p[i].a + p[i].b + p[i].c + p[i].d;
}

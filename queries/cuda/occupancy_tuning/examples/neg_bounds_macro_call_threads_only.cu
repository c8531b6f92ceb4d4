// example: the same macro-call spelling, but the macro forwards only a thread count to __launch_bounds__. Negative.
#define THREADS_CAP(n) __launch_bounds__(n)

template <int kBlock>
__global__ void THREADS_CAP(kBlock)
scale_inplace(float* v, float s, int n) {
    int i = blockIdx.x * kBlock + threadIdx.x;
    if (i < n) v[i] *= s;
}

void scale(float* v, float s, int n) { scale_inplace<256><<<(n + 255) / 256, 256>>>(v, s, n); }

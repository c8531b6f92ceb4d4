// example: one block per row with a compile-time width; each thread covers `v * THREADS + tid` for a fixed
// number of v, the unrolled form of a block-stride loop. Positive.
template <int WIDTH, int THREADS>
__global__ void scale_rows(float* __restrict__ data, const float* __restrict__ factor) {
    const int tid = threadIdx.x;
    float* rowp = data + (size_t)blockIdx.x * WIDTH;
    const float f = factor[blockIdx.x];
#pragma unroll
    for (int v = 0; v < WIDTH / THREADS; ++v) rowp[v * THREADS + tid] *= f;
}

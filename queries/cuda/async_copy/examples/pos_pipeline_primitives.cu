// example: double-buffered tile loads with __pipeline_memcpy_async / commit / wait_prior. Positive.
#include <cuda_pipeline.h>
#define TILE 128
__global__ void tiled_sum(const float* x, float* out, int tiles) {
    __shared__ float buf[2][TILE];
    float acc = 0.f;
    __pipeline_memcpy_async(&buf[0][threadIdx.x], &x[threadIdx.x], sizeof(float));
    __pipeline_commit();
    for (int t = 0; t < tiles; ++t) {
        if (t + 1 < tiles) __pipeline_memcpy_async(&buf[(t + 1) & 1][threadIdx.x], &x[(t + 1) * TILE + threadIdx.x], sizeof(float));
        __pipeline_commit();
        __pipeline_wait_prior(1);
        __syncthreads();
        acc += buf[t & 1][(threadIdx.x + 1) % TILE];
        __syncthreads();
    }
    out[blockIdx.x * TILE + threadIdx.x] = acc;
}

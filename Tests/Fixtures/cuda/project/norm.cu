// RMS normalization of bf16 rows: one warp per row, the sum of squares reduced with the shared helper.
#include "reduce.cuh"

__global__ void rmsnorm_fwd(const bf16* __restrict__ x, bf16* __restrict__ y, int rows, int cols, float eps) {
    int row = blockIdx.x * (blockDim.x / LANES) + threadIdx.x / LANES;
    int lane = threadIdx.x % LANES;
    if (row >= rows) return;
    const bf16* in = x + (size_t)row * cols;
    float sumsq = 0.f;
    for (int c = lane; c < cols; c += LANES) {
        float v = load_as_float(in, c);
        sumsq += v * v;
    }
    sumsq = WARP_SUM(sumsq);
    float scale = rsqrtf(sumsq / cols + eps);
    for (int c = lane; c < cols; c += LANES) {
        y[(size_t)row * cols + c] = __float2bfloat16(load_as_float(in, c) * scale);
    }
}

void launch_rmsnorm(const bf16* x, bf16* y, int rows, int cols, cudaStream_t stream) {
    const int warps = 4;
    rmsnorm_fwd<<<DIV_UP(rows, warps), warps * LANES, 0, stream>>>(x, y, rows, cols, 1e-6f);
}

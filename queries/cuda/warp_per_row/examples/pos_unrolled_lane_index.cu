// example: one warp per row; the row length is a template constant, so each lane walks it as
// `chunk * 32 + lane` in a fixed-trip loop instead of a lane-strided loop. Positive.
template <int COLS>
__global__ void row_l2(const float* __restrict__ in, float* __restrict__ out, int rows) {
    int lane = threadIdx.x % 32;
    int r = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    if (r >= rows) return;
    float s = 0.f;
#pragma unroll
    for (int chunk = 0; chunk < (COLS + 31) / 32; chunk++) {
        int c = chunk * 32 + lane;
        if (c < COLS) s += in[r * COLS + c] * in[r * COLS + c];
    }
    for (int m = 16; m; m >>= 1) s += __shfl_xor_sync(0xffffffff, s, m);
    if (lane == 0) out[r] = sqrtf(s);
}

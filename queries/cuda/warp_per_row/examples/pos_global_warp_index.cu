// example: row = global thread index / 32, lanes (threadIdx.x % 32) stride across the row via a row pointer; softmax-style. Positive.
__global__ void softmax_rows(const float* inp, float* out, int N, int C) {
    int row = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
    int lane = threadIdx.x % 32;
    if (row >= N) return;
    const float* x = inp + row * C;
    float m = -1e30f;
    for (int i = lane; i < C; i += 32) m = fmaxf(m, x[i]);
    for (int o = 16; o > 0; o /= 2) m = fmaxf(m, __shfl_xor_sync(0xffffffff, m, o));
    float s = 0.0f;
    for (int i = lane; i < C; i += 32) s += expf(x[i] - m);
    for (int o = 16; o > 0; o /= 2) s += __shfl_xor_sync(0xffffffff, s, o);
    for (int i = lane; i < C; i += 32) out[row * C + i] = expf(x[i] - m) / s;
}

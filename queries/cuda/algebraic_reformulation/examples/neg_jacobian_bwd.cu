// example: softmax backward through the full Jacobian (double loop with the indicator), and lerp as a + t*(b - a). Negative.
__global__ void softmax_backward_jac(float* dx, const float* y, const float* dy, float* ema, const float* cur, float t, int C) {
    const float* yr = y + blockIdx.x * C;
    const float* gr = dy + blockIdx.x * C;
    for (int i = threadIdx.x; i < C; i += blockDim.x) {
        float acc = 0.f;
        for (int j = 0; j < C; ++j) acc += gr[j] * yr[j] * ((i == j ? 1.f : 0.f) - yr[i]);
        dx[blockIdx.x * C + i] = acc;
        ema[blockIdx.x * C + i] = ema[blockIdx.x * C + i] + t * (cur[blockIdx.x * C + i] - ema[blockIdx.x * C + i]);
    }
}

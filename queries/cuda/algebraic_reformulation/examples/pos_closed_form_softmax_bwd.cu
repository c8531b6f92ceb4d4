// example: softmax backward in closed form: one dot product sum(dy*y), then dx = y * (dy - dot), no Jacobian. Positive.
__global__ void softmax_backward(float* dx, const float* y, const float* dy, int C) {
    const float* yr = y + blockIdx.x * C;
    const float* gr = dy + blockIdx.x * C;
    float dot = 0.f;
    for (int i = 0; i < C; ++i) dot += gr[i] * yr[i];
    for (int i = threadIdx.x; i < C; i += blockDim.x) dx[blockIdx.x * C + i] = yr[i] * (gr[i] - dot);
}

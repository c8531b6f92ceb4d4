// example: Adam state loaded into registers, updated, and stored back over the same moment buffers. Positive.
__global__ void adam_state(float* params, float* m_buf, float* v_buf, const float* grads, float lr, float b1, float b2, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = grads[i];
    float m = m_buf[i];
    float v = v_buf[i];
    m = b1 * m + (1.f - b1) * g;
    v = b2 * v + (1.f - b2) * g * g;
    m_buf[i] = m;
    v_buf[i] = v;
    params[i] -= lr * m / (sqrtf(v) + 1e-8f);
}

// example: elementwise kernels that load one value from each operand array at the same index, back to back,
// before computing. That is the default shape of any elementwise kernel, not a batch of loads. Negative.

__global__ void fma_elementwise(const float* a, const float* b, const float* c, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float x = a[i];
        float y = b[i];
        float z = c[i];
        out[i] = x * y + z;
    }
}

__global__ void adamw_step(float* params, const float* grads, float* m_mem, float* v_mem, int n,
                           float lr, float beta1, float beta2, float eps, float wd) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float p = params[i];
    float g = grads[i];
    float m = m_mem[i];
    float v = v_mem[i];
    m = beta1 * m + (1.f - beta1) * g;
    v = beta2 * v + (1.f - beta2) * g * g;
    m_mem[i] = m;
    v_mem[i] = v;
    params[i] = p - lr * (m / (sqrtf(v) + eps) + wd * p);
}

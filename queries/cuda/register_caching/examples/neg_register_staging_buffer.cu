// example: a register array filled from memory, updated in place, then stored once: a staging buffer, no value is re-used. Negative (near miss).
__global__ void square_in_buffer(const float* x, float* y, int n) {
    float v[4];
    int base = (blockIdx.x * blockDim.x + threadIdx.x) * 4;
    for (int k = 0; k < 4; ++k) v[k] = x[base + k];
    for (int k = 0; k < 4; ++k) v[k] = v[k] * v[k];
    for (int k = 0; k < 4; ++k) y[base + k] = v[k];
}

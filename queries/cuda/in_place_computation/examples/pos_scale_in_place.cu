// example: gradients are clipped in place: each element is read, scaled and written back to the same buffer through a row pointer. Positive.
__global__ void clip_grads(float* grads, const float* norms, float max_norm, int C) {
    float* row = grads + blockIdx.x * C;
    float scale = fminf(1.f, max_norm / (norms[blockIdx.x] + 1e-6f));
    for (int i = threadIdx.x; i < C; i += blockDim.x) row[i] = row[i] * scale;
}

// example: min() only bounds a loop, and every load sits behind an if bounds check. Negative (near miss).
__global__ void chunk_sum(const float* x, float* out, int n, int chunk) {
    int start = (blockIdx.x * blockDim.x + threadIdx.x) * chunk;
    int end = min(start + chunk, n);
    float acc = 0.f;
    for (int i = start; i < end; ++i) {
        if (x[i] > 0.f) acc += x[i];
    }
    if (start < n) out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

// example: comments speak of memory-level parallelism and prefetching, but each load depends on the previous one. Negative.
__global__ void walk_list(const int* next, const float* val, float* out, int steps) {
    // memory level parallelism: prefetch the next node, keep loads in flight to hide latency
    int p = blockIdx.x * blockDim.x + threadIdx.x;
    float s = 0.f;
    for (int k = 0; k < steps; ++k) { s += val[p]; p = next[p]; }
    out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// example: one dependent load at a time; the comment is only a plan. Negative.

__global__ void chase(const int* next, int* out, int steps) {
    // TODO: keep more loads in flight to hide latency (memory level parallelism)
    int p = threadIdx.x;
    for (int s = 0; s < steps; ++s) p = next[p];
    out[threadIdx.x] = p;
}

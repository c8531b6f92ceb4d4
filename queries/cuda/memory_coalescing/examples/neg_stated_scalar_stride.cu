// example: the comment claims coalescing, but each thread reads four scalars at thread * 4 (a stride of 16 bytes
// between lanes, with no vector load). Negative.

// coalesced: every thread handles four neighbouring values
__global__ void sum4(const float* x, float* out, int n) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    int base = t * 4;
    if (base + 3 >= n) return;
    out[t] = x[base] + x[base + 1] + x[base + 2] + x[base + 3];
}

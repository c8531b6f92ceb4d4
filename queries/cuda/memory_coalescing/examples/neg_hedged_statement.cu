// example: one-dimensional indexing with a comment that only wishes for coalescing. Negative.

// TODO: these loads should be coalesced once the layout is transposed
__global__ void gather_scale(const float* x, float* y, float s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] * s;
}

// example: the comment claims coalescing, but each thread walks its own row (stride C). Negative.

__global__ void row_stats(const float* x, float* stats, int rows, int c) {
    // "coalesced": one thread per row
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float s = 0.f, m = -1e30f;
    for (int j = 0; j < c; ++j) { s += x[r * c + j]; m = fmaxf(m, x[r * c + j]); }
    stats[2 * r] = s;
    stats[2 * r + 1] = m;
}

// example: contiguous indexing, but the comment says the writes are not coalesced yet. Negative.

__global__ void scatter_rows(const float* x, float* y, const int* perm, int c) {
    // writes are not coalesced: rows land wherever perm sends them (TODO)
    int i = threadIdx.x;
    y[perm[blockIdx.x] * c + i] = x[blockIdx.x * c + i];
}

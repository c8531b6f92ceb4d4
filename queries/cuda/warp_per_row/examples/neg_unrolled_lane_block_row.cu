// example: lanes index `chunk * 32 + lane`, but the row comes from the block index and every warp of the
// block reads the same row (warps are only replicas here). Negative (near miss).
template <int COLS>
__global__ void row_copy(const float* __restrict__ in, float* __restrict__ out) {
    int lane = threadIdx.x & 31;
    const float* src = in + blockIdx.x * COLS;
    for (int chunk = 0; chunk < COLS / 32; ++chunk) {
        int c = chunk * 32 + lane;
        out[blockIdx.x * COLS + c] = src[c];
    }
}

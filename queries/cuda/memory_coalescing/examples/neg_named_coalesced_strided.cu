// example: named and commented as coalesced, but each thread owns a row and walks it (stride C between threads). Negative.
// coalesced loads: fully coalesced global memory access
__global__ void coalesced_row_max(const float* coalesced_in, float* coalesced_out, int rows, int C) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float m = -1e30f;
    for (int j = 0; j < C; ++j) m = fmaxf(m, coalesced_in[r * C + j]);
    coalesced_out[r * C] = m;
}

// example: a Hillis-Steele prefix sum reads one half of a [2][N] shared buffer and writes the other, so each step needs a single barrier. Positive.
__global__ void prefix_sum_256(const int* in, int* out) {
    __shared__ int buf[2][256];
    int lane = threadIdx.x;
    buf[0][lane] = in[blockIdx.x * 256 + lane];
    __syncthreads();
    int src = 0;
    for (int step = 1; step < 256; step *= 2) {
        buf[1 - src][lane] = lane >= step ? buf[src][lane] + buf[src][lane - step] : buf[src][lane];
        src = 1 - src;
        __syncthreads();
    }
    out[blockIdx.x * 256 + lane] = buf[src][lane];
}

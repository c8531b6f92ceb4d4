// example: each block owns one chunk and each thread handles two neighbouring elements per step; the thread's index
// is set before the loop, which has no initializer and whose condition keeps room for the pair (`k + 1 < stop`),
// striding by the block over a run-time chunk. Positive.
__global__ void scale_pairs(float* values, const float* factors, const int* chunk_start, const int* chunk_stop) {
    const int stop = chunk_stop[blockIdx.x];
    int k = chunk_start[blockIdx.x] + 2 * threadIdx.x;
    for (; k + 1 < stop; k += 2 * blockDim.x) {
        values[k] *= factors[k];
        values[k + 1] *= factors[k + 1];
    }
}

void run_scale_pairs(float* values, const float* factors, const int* starts, const int* stops, int chunks) {
    scale_pairs<<<chunks, 256>>>(values, factors, starts, stops);
}

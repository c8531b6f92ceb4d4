// example: the ticket is compared inline (atomicAdd(...) == num_blocks - 1) with a block count passed as a parameter; no __threadfence. Positive.
#define COUNTER_ADD(p) atomicAdd((p), 1)
__global__ void finalize_cast(const float* partials, float* master, int* done, int num_blocks, int n) {
    __shared__ bool is_last;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) master[i] = partials[i] * 0.5f;
    if (threadIdx.x == 0) is_last = (COUNTER_ADD(done) == num_blocks - 1);
    __syncthreads();
    if (is_last && threadIdx.x == 0) {
        float s = 0.0f;
        for (int b = 0; b < num_blocks; ++b) s += partials[b];
        master[n] = s;
    }
}

// example: counter bumped with __threadfence, but only the first ticket (== 0) is tested, to zero a buffer. Negative (near miss).
__global__ void first_block_clears(float* buf, unsigned int* counter, int n) {
    __shared__ unsigned int ticket;
    if (threadIdx.x == 0) {
        __threadfence();
        ticket = atomicAdd(counter, 1u);
    }
    __syncthreads();
    if (ticket == 0) {
        for (int i = threadIdx.x; i < n; i += blockDim.x) buf[i] = 0.0f;
    }
}

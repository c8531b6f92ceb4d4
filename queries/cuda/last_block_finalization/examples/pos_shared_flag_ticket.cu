// example: llm.c-style: thread 0 takes a ticket with atomicAdd into a __shared__ flag; the block whose ticket is gridDim.x-1 sums all partials. Positive.
__global__ void sum_with_last_block(const float* x, float* partials, unsigned int* flag, float* out, int n) {
    __shared__ float s[256];
    __shared__ unsigned int ticket;
    float acc = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) acc += x[i];
    s[threadIdx.x] = acc;
    __syncthreads();
    for (int k = 128; k > 0; k >>= 1) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = s[0];
        __threadfence();
        ticket = atomicAdd(flag, 1u);
    }
    __syncthreads();
    if (ticket == gridDim.x - 1) {
        float total = 0.0f;
        for (int b = threadIdx.x; b < gridDim.x; b += blockDim.x) total += partials[b];
        s[threadIdx.x] = total;
        __syncthreads();
        if (threadIdx.x == 0) {
            for (int t = 1; t < blockDim.x; ++t) total += s[t];
            *out = total;
        }
    }
}

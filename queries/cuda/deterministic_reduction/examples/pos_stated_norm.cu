// example: squared-norm partials per block through a templated shared tree; a comment states that atomics are avoided for run-to-run determinism; the ticket counter is an integer atomic. Positive.
template <int BLOCK>
__global__ void norm_squared(const float* g, float* block_out, unsigned int* ticket, int n) {
    // deterministic: no float atomicAdd, each block writes its own slot and the last block sums them in order
    __shared__ float s[BLOCK];
    float acc = 0.0f;
    for (int i = blockIdx.x * BLOCK + threadIdx.x; i < n; i += BLOCK * gridDim.x) acc += g[i] * g[i];
    s[threadIdx.x] = acc;
    __syncthreads();
    for (int k = BLOCK / 2; k > 0; k /= 2) {
        if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        block_out[blockIdx.x] = s[0];
        __threadfence();
        atomicAdd(ticket, 1u);
    }
}

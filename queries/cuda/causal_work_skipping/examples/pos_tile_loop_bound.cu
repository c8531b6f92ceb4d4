// example: the key-tile loop stops at the query block's own tile (bound from blockIdx), and a helper-free break skips later tiles. Positive.
#define BQ 64
#define BK 64
__global__ void causal_attention_rows(const float* Q, const float* K, const float* V, float* O, int T, int d) {
    __shared__ float kv[BK * 64];
    const int q_block = blockIdx.x;
    float acc = 0.f;
    for (int kb = 0; kb <= q_block; ++kb) {
        for (int i = threadIdx.x; i < BK * d; i += blockDim.x) kv[i] = K[kb * BK * d + i];
        __syncthreads();
        for (int j = 0; j < BK; ++j) acc += Q[(q_block * BQ + threadIdx.x) * d] * kv[j * d];
        __syncthreads();
    }
    O[(q_block * BQ + threadIdx.x) * d] = acc;
}

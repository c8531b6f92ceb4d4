// example: a tiled Q.K^T kernel returns at once for blocks strictly above the causal diagonal. Positive.
#define TILE 16
__global__ void causal_scores(const float* Q, const float* K, float* S, int T, int d) {
    if (blockIdx.y < blockIdx.x) return;  // whole tile above the diagonal
    __shared__ float qs[TILE][TILE], ks[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.f;
    for (int k0 = 0; k0 < d; k0 += TILE) {
        qs[threadIdx.y][threadIdx.x] = Q[row * d + k0 + threadIdx.x];
        ks[threadIdx.y][threadIdx.x] = K[(blockIdx.x * TILE + threadIdx.y) * d + k0 + threadIdx.x];
        __syncthreads();
        for (int k = 0; k < TILE; ++k) acc += qs[threadIdx.y][k] * ks[threadIdx.x][k];
        __syncthreads();
    }
    S[row * T + col] = col <= row ? acc : -1e30f;
}

// example: double-buffered tiles alternate slots, but the next slot is refilled from global memory, not computed from the other slot. Negative.
__global__ void tiled_dot(const float* a, const float* b, float* out, int tiles) {
    __shared__ float ta[2][128];
    int k = threadIdx.x;
    ta[0][k] = a[k];
    __syncthreads();
    float acc = 0.f;
    for (int t = 0; t < tiles; ++t) {
        int cur = t & 1, nxt = (t + 1) & 1;
        if (t + 1 < tiles) ta[nxt][k] = a[(t + 1) * 128 + k];
        acc += ta[cur][(k + 1) % 128] * b[t * 128 + k];
        __syncthreads();
    }
    out[blockIdx.x * 128 + k] = acc;
}

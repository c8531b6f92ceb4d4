// example: one float4 per thread with a fixed 4-iteration inner loop, and a tile-load loop of compile-time length. Negative (near miss).
#define TILE 64
__global__ void scale4(const float4* in, float4* out, int n4) {
    __shared__ float tile[TILE];
    for (int i = threadIdx.x; i < TILE; i += blockDim.x) tile[i] = 1.0f + i;
    __syncthreads();
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n4) return;
    float4 v = in[i];
    float* c = reinterpret_cast<float*>(&v);
    for (int k = 0; k < 4; ++k) c[k] *= tile[k];
    out[i] = v;
}

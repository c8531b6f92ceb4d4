// example: four loads gathered into registers by an unrolled loop and consumed by an unrolled loop; no comment. Positive.
__global__ void sum4(const float* x, float* out) {
    float v[4];
    int base = blockIdx.x * blockDim.x * 4 + threadIdx.x;
#pragma unroll
    for (int k = 0; k < 4; ++k) v[k] = x[base + k * blockDim.x];
    float s = 0.f;
#pragma unroll
    for (int k = 0; k < 4; ++k) s += v[k];
    out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

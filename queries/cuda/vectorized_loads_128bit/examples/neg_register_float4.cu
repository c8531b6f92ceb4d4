// example: float4 is only a register accumulator built from scalar loads and stored element-wise. Negative.
__global__ void moments(const float* x, float* out, int n) {
    float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float v = x[blockIdx.x * n + i];
        acc.x += v; acc.y += v * v; acc.z += v * v * v; acc.w += v * v * v * v;
    }
    out[4 * (blockIdx.x * blockDim.x + threadIdx.x) + 0] = acc.x;
    out[4 * (blockIdx.x * blockDim.x + threadIdx.x) + 1] = acc.y;
    out[4 * (blockIdx.x * blockDim.x + threadIdx.x) + 2] = acc.z;
    out[4 * (blockIdx.x * blockDim.x + threadIdx.x) + 3] = acc.w;
}

// example: 64-bit float2 reinterpret_casts only; the comment says float4. Negative (near miss).
__global__ void scale2(const float* x, float* y, float s, int n2) {
    // TODO: switch to float4 for 128-bit loads
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n2) return;
    float2 v = reinterpret_cast<const float2*>(x)[i];
    v.x *= s;
    v.y *= s;
    reinterpret_cast<float2*>(y)[i] = v;
}

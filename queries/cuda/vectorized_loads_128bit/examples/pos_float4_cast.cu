// example: GELU over float4 views of the input and output via reinterpret_cast. Positive.
__global__ void gelu4(const float* x, float* y, int n4) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n4) return;
    float4 v = reinterpret_cast<const float4*>(x)[i];
    v.x = v.x / (1.f + expf(-1.702f * v.x));
    v.y = v.y / (1.f + expf(-1.702f * v.y));
    v.z = v.z / (1.f + expf(-1.702f * v.z));
    v.w = v.w / (1.f + expf(-1.702f * v.w));
    reinterpret_cast<float4*>(y)[i] = v;
}

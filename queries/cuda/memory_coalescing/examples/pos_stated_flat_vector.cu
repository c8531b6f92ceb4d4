// example: grid-stride over float4 groups; the comment states that neighbouring lanes read neighbouring 16 bytes. Positive.

// Neighbouring lanes load adjacent float4 groups, so a warp reads one contiguous 512-byte span.
__global__ void halve(float4* __restrict__ y, const float4* __restrict__ x, int groups) {
    for (int g = blockIdx.x * blockDim.x + threadIdx.x; g < groups; g += gridDim.x * blockDim.x) {
        float4 v = x[g];
        y[g] = make_float4(v.x * 0.5f, v.y * 0.5f, v.z * 0.5f, v.w * 0.5f);
    }
}

// example: a check-free loop over whole groups of 4 (bound held in a local), then a tail loop under if (rest > 0) derived from the same local. Positive.
__global__ void scale_rows(float* data, int n, float s) {
    const int groups = n >> 2;
    float4* d4 = reinterpret_cast<float4*>(data);
    for (int g = blockIdx.x * blockDim.x + threadIdx.x; g < groups; g += gridDim.x * blockDim.x) {
        float4 v = d4[g];
        v.x *= s; v.y *= s; v.z *= s; v.w *= s;
        d4[g] = v;
    }
    const int done = groups * 4;
    if (n - done > 0) {
        for (int k = done + blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x) data[k] *= s;
    }
}

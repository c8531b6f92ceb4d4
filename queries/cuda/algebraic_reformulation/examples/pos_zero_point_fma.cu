// example: int8 weights dequantised as (q - zero) * scale, computed as one FMA with the precomputed addend -zero * scale. Positive.
__global__ void dequant_rows(const signed char* q, const float* scale, const float* zero, float* w, int cols) {
    int r = blockIdx.x;
    float sc = scale[r];
    float bias = -(zero[r] * sc);
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        w[r * cols + c] = fmaf((float)q[r * cols + c], sc, bias);
}

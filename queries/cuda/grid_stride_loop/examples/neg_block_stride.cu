// example: a block-stride loop (i += blockDim.x) named "stride"; gridDim appears only in a comment. Negative (near miss).
__global__ void row_scale(float* x, int C, float s) {
    int stride = blockDim.x;  // not gridDim.x * blockDim.x
    float* row = x + blockIdx.x * C;
    for (int i = threadIdx.x; i < C; i += stride) row[i] *= s;
}

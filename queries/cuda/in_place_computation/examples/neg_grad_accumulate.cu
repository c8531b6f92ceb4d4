// example: gradient accumulation with += into the output buffer; nothing else reads it. Negative.
__global__ void bias_backward(float* dbias, const float* dout, int rows, int C) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    float acc = 0.f;
    for (int r = 0; r < rows; ++r) acc += dout[r * C + c];
    dbias[c] += acc;
}

// example: a matmul whose accumulator starts from the bias and passes through tanh-GELU before the store. Positive.
__global__ void linear_bias_gelu(float* out, const float* inp, const float* weight, const float* bias, int C, int OC) {
    int row = blockIdx.x, col = threadIdx.x + blockIdx.y * blockDim.x;
    if (col >= OC) return;
    float acc = bias[col];
    for (int k = 0; k < C; ++k) acc += inp[row * C + k] * weight[col * C + k];
    float cube = 0.044715f * acc * acc * acc;
    out[row * OC + col] = 0.5f * acc * (1.f + tanhf(0.7978845f * (acc + cube)));
}

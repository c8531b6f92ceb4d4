// example: an out-of-place gelu kernel launched with the same buffer as input and output (aliasing at the call site). Positive.
__global__ void gelu_kernel(float* out, const float* inp, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { float v = inp[i]; out[i] = 0.5f * v * (1.f + tanhf(0.79788456f * (v + 0.044715f * v * v * v))); }
}
void gelu_inplace(float* act, int n) {
    gelu_kernel<<<(n + 255) / 256, 256>>>(act, act, n);
}

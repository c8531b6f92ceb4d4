// example: __launch_bounds__ with a thread count only, and "__launch_bounds__(256, 4)" in a comment. Negative (near miss).
// a later version may use __launch_bounds__(256, 4)
__global__ void __launch_bounds__(256) clamp01(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = fminf(fmaxf(x[i], 0.0f), 1.0f);
}

// example: a function-like macro standing for the attribute, between the qualifiers and the name of a template
// kernel, the name on the next line. Positive.
#define KERNEL_BOUNDS(threads, blocks) __launch_bounds__(threads, blocks)

template <int kBlock>
__global__ void KERNEL_BOUNDS(kBlock, 2)
saxpy_tile(float a, const float* x, float* y, int n) {
    int i = blockIdx.x * kBlock + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}

void run_saxpy(float a, const float* x, float* y, int n) {
    saxpy_tile<128><<<(n + 127) / 128, 128>>>(a, x, y, n);
}

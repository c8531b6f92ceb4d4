// example: a block-size template parameter on a kernel whose launch bounds come from a function-like macro
// (the macro must not hide the template header). Positive.
#define BOUNDED(n) __launch_bounds__(n)

template <int kThreads>
__global__ void BOUNDED(kThreads)
row_scale(float* rows, const float* scale, int width) {
    for (int c = threadIdx.x; c < width; c += kThreads) rows[blockIdx.x * width + c] *= scale[blockIdx.x];
}

void scale_rows(float* rows, const float* scale, int height, int width) {
    row_scale<256><<<height, 256>>>(rows, scale, width);
}

// example: a variadic attribute macro called with a thread count chosen by a parenthesized comparison and a minimum
// of two resident blocks: the call passes two arguments, so the attribute asks for resident blocks. Positive.
#define RESIDENCY(...) __launch_bounds__(__VA_ARGS__)

template <int COLS>
__global__ void RESIDENCY((COLS < 64) ? 128 : 256, 2)
row_scale(float* rows, const float* scale, int n_rows) {
    int row = blockIdx.x;
    if (row >= n_rows) return;
    for (int c = threadIdx.x; c < COLS; c += blockDim.x) rows[row * COLS + c] *= scale[row];
}

void launch_row_scale(float* rows, const float* scale, int n_rows) {
    row_scale<128><<<n_rows, 256>>>(rows, scale, n_rows);
}

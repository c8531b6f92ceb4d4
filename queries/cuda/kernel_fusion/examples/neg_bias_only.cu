// example: only a bias broadcast along the rows; one operation. Negative.

__global__ void add_row_bias(float* y, const float* bias, int total, int cols) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x)
        y[i] = y[i] + bias[i % cols];
}

// example: blockIdx.y splits the columns of one matrix (col = blockIdx.y * blockDim.x + threadIdx.x); it is a thread coordinate, not a slice number. Negative (near miss).
__global__ void add_row_bias(float* out, const float* bias, int OC) {
    int row = blockIdx.x;
    int col = blockIdx.y * blockDim.x + threadIdx.x;
    if (col < OC) out[row * OC + col] += bias[col];
}
void launch_bias(float* out, const float* bias, int rows, int OC) {
    dim3 grid(rows, (OC + 255) / 256);
    add_row_bias<<<grid, 256>>>(out, bias, OC);
}

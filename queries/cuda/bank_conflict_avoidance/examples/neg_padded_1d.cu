// example: a one-dimensional buffer with one extra slot (a sentinel), not a padded tile. Negative.
#define N 256
__global__ void shift_left(const int* x, int* y) {
    __shared__ int buf[N + 1];
    buf[threadIdx.x] = x[blockIdx.x * N + threadIdx.x];
    if (threadIdx.x == 0) buf[N] = 0;
    __syncthreads();
    y[blockIdx.x * N + threadIdx.x] = buf[threadIdx.x + 1];
}

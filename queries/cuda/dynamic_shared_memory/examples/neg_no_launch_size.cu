// example: extern shared memory is used, but the only launch passes no shared-memory size. Negative.
__global__ void reverse_block(const int* x, int* y) {
    extern __shared__ int tmp[];
    tmp[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
    __syncthreads();
    y[blockIdx.x * blockDim.x + threadIdx.x] = tmp[blockDim.x - 1 - threadIdx.x];
}

void launch_reverse(const int* x, int* y, int blocks) {
    reverse_block<<<blocks, 256>>>(x, y);
}

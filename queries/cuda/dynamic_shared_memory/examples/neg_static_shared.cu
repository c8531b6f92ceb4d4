// example: a fixed-size __shared__ tile and a launch with an explicit 0 byte size. Negative.
#define N 256
__global__ void reverse_static(const int* x, int* y) {
    __shared__ int tmp[N];
    tmp[threadIdx.x] = x[blockIdx.x * N + threadIdx.x];
    __syncthreads();
    y[blockIdx.x * N + threadIdx.x] = tmp[N - 1 - threadIdx.x];
}

void launch_static(const int* x, int* y, int blocks) {
    reverse_static<<<blocks, N, 0>>>(x, y);
}

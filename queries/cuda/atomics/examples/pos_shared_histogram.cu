// example: privatized histogram: atomicAdd on a __shared__ array, then atomicAdd to global once per bin. Positive.
#define BINS 64
__global__ void histogram(const unsigned char* data, unsigned int* hist, int n) {
    __shared__ unsigned int local[BINS];
    for (int b = threadIdx.x; b < BINS; b += blockDim.x) local[b] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        atomicAdd(&local[data[i] % BINS], 1u);
    __syncthreads();
    for (int b = threadIdx.x; b < BINS; b += blockDim.x) atomicAdd(hist + b, local[b]);
}

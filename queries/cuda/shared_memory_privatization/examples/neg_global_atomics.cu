// example: the histogram is updated directly in global memory; a shared array only caches the input. Negative (near miss).
__global__ void histogram_global(const unsigned char* data, unsigned int* hist, int n) {
    __shared__ unsigned char chunk[256];
    int i = blockIdx.x * 256 + threadIdx.x;
    chunk[threadIdx.x] = i < n ? data[i] : 0;
    __syncthreads();
    if (i < n) atomicAdd(&hist[chunk[threadIdx.x]], 1u);
}

// example: shared counts are accumulated, but the helper they are handed to only reads them to pick a flag; no copy reaches global memory. Negative.
__device__ __forceinline__ bool is_heavy(unsigned amount, unsigned limit) { return amount > limit; }

__global__ void heavy_bins(const unsigned char* bytes, int len, int* any_heavy, unsigned limit) {
    __shared__ unsigned counts[256];
    for (int b = threadIdx.x; b < 256; b += blockDim.x) counts[b] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < len; i += gridDim.x * blockDim.x) atomicAdd(&counts[bytes[i]], 1u);
    __syncthreads();
    if (threadIdx.x < 256 && is_heavy(counts[threadIdx.x], limit)) any_heavy[blockIdx.x] = 1;
}

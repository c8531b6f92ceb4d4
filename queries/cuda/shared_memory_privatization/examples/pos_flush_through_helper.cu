// example: per-block byte histogram in shared memory, flushed by handing each count to a helper that adds it globally. Positive.
__device__ __forceinline__ void publish_bin(unsigned long long* global_bins, int bin, unsigned amount) {
    if (amount) atomicAdd(&global_bins[bin], (unsigned long long)amount);
}

__global__ void byte_histogram(const unsigned char* bytes, long len, unsigned long long* global_bins) {
    __shared__ unsigned local_bins[256];
    for (int b = threadIdx.x; b < 256; b += blockDim.x) local_bins[b] = 0;
    __syncthreads();
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < len; i += (long)gridDim.x * blockDim.x)
        atomicAdd(&local_bins[bytes[i]], 1u);
    __syncthreads();
    for (int b = threadIdx.x; b < 256; b += blockDim.x) publish_bin(global_bins, b, local_bins[b]);
}

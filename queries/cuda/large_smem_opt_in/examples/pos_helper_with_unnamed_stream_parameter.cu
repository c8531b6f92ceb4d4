// example: the opt-in is done by a helper whose first parameter (the stream) is unnamed; the kernel arrives as its
// second parameter and the limit (96 KiB) as its third. The helper's parameters are matched to the call by position,
// so the unnamed stream does not shift the kernel onto the wrong argument. Positive.
#include <cuda_runtime.h>

template <int TILE>
__global__ void tile_transpose(const float* in, float* out, int n) {
    extern __shared__ float tile[];
    int i = blockIdx.x * TILE + threadIdx.x;
    if (i < n) tile[threadIdx.x] = in[i];
    __syncthreads();
    if (i < n) out[i] = tile[TILE - 1 - threadIdx.x];
}

template <typename Kernel>
void raise_smem_limit(cudaStream_t, Kernel kernel, int bytes) {
    cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
}

void transpose(const float* in, float* out, int n, cudaStream_t stream) {
    const int bytes = 96 * 1024;
    raise_smem_limit(stream, tile_transpose<256>, bytes);
    tile_transpose<256><<<(n + 255) / 256, 256, bytes, stream>>>(in, out, n);
}

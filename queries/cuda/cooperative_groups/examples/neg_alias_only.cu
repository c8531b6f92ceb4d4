// example: the header is included and the namespace aliased, "cg::this_thread_block()" appears in a comment and a string, but the kernel uses raw __syncthreads. Negative (near miss).
#include <cooperative_groups.h>
namespace cg = cooperative_groups;
__device__ const char* kNote = "cg::this_thread_block().sync()";
__global__ void reverse_block(float* data) {
    __shared__ float buf[128];
    // could be cg::this_thread_block().sync() instead
    buf[threadIdx.x] = data[blockIdx.x * 128 + threadIdx.x];
    __syncthreads();
    data[blockIdx.x * 128 + threadIdx.x] = buf[127 - threadIdx.x];
}

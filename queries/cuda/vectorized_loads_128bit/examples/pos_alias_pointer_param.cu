// example: kernel parameters typed through `using vec_t = int4`, indexed directly. Positive.
using vec_t = int4;
__global__ void copy_vec(const vec_t* __restrict__ src, vec_t* __restrict__ dst, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) dst[i] = src[i];
}

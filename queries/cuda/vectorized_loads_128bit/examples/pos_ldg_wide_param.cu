// example: a `double2` parameter read 16 bytes at a time through `__ldg` on pointer arithmetic, in a helper. Positive.
__device__ __forceinline__ double pair_sum(const double2* __restrict__ cells, long k) {
    const double2 c = __ldg(cells + k);
    return c.x + c.y;
}

__global__ void fold_pairs(const double2* __restrict__ cells, double* __restrict__ out, long count) {
    long k = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < count) out[k] = pair_sum(cells, k);
}

// example: bias-gradient partial sums accumulated in shared memory by a helper, flushed with one write per channel. Positive.
__device__ void accumulate_row(float* acc, const float* dout, int c) {
    for (int i = threadIdx.x; i < c; i += blockDim.x) atomicAdd(&acc[i], dout[i]);
}

__global__ void bias_backward(const float* dout, float* dbias_partial, int rows_per_block, int c) {
    extern __shared__ float dbias_shared[];
    for (int i = threadIdx.x; i < c; i += blockDim.x) dbias_shared[i] = 0.f;
    __syncthreads();
    for (int r = 0; r < rows_per_block; ++r) accumulate_row(dbias_shared, dout + (blockIdx.x * rows_per_block + r) * c, c);
    __syncthreads();
    for (int i = threadIdx.x; i < c; i += blockDim.x) dbias_partial[blockIdx.x * c + i] = dbias_shared[i];
}

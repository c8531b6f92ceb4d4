// example: a plain synchronous staging loop; the comment and an assert message mention cp.async. Negative (near miss).
__global__ void stage_sync(const float* x, float* y) {
    __shared__ float tile[256];
    // "async" prefetch of the next tile (cp.async would be better on sm_80)
    static_assert(sizeof(float) == 4, "cp.async.cg.shared.global not used here");
    tile[threadIdx.x] = x[blockIdx.x * 256 + threadIdx.x];
    __syncthreads();
    y[blockIdx.x * 256 + threadIdx.x] = tile[255 - threadIdx.x];
}

// example: block per row; the warp number only picks a shared-memory slot for the warp partials, and the loop strides by blockDim. Negative (near miss).
__global__ void row_norm(const float* x, float* out, int C) {
    __shared__ float partial[32];
    int warp_id = threadIdx.x / 32, lane = threadIdx.x % 32;
    float s = 0.0f;
    for (int i = threadIdx.x; i < C; i += blockDim.x) s += x[blockIdx.x * C + i] * x[blockIdx.x * C + i];
    for (int o = 16; o > 0; o >>= 1) s += __shfl_down_sync(0xffffffff, s, o);
    if (lane == 0) partial[warp_id] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        float t = 0.0f;
        for (int w = 0; w < blockDim.x / 32; ++w) t += partial[w];
        out[blockIdx.x] = sqrtf(t);
    }
}

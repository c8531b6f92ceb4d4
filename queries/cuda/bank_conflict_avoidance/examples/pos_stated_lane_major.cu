// example: a lane-major partial-sum layout whose comment states it avoids bank conflicts. Positive.

__global__ void bias_grad(const float* dout, float* dbias, int rows, int c) {
    extern __shared__ float smem[];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
    float sum = 0.f;
    for (int r = warp; r < rows; r += warps) sum += dout[r * c + blockIdx.x * 32 + lane];
    // lane-major index so that each warp writes 32 consecutive words: no bank conflicts
    smem[lane * warps + warp] = sum;
    __syncthreads();
    if (warp == 0) {
        float total = 0.f;
        for (int w = 0; w < warps; ++w) total += smem[lane * warps + w];
        dbias[blockIdx.x * 32 + lane] = total;
    }
}

// example: channel-major loop with a comment at the kernel about coalesced reads. Positive.

__global__ void add_bias(float* out, const float* bias, int rows, int c) {
    // consecutive threads handle consecutive channels, so reads and writes are coalesced
    int row = blockIdx.y;
    for (int ch = blockIdx.x * blockDim.x + threadIdx.x; ch < c; ch += gridDim.x * blockDim.x)
        out[row * c + ch] += bias[ch];
}

// example: border taps clamped with min/max and fed to __ldg through pointer offsets, so no tap is guarded. Positive.
__global__ void box3_rows(const float* __restrict__ img, float* __restrict__ dst, int w, int h, int stride) {
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    int row = blockIdx.y;
    if (col >= w) return;
    int left = max(col - 1, 0);
    int right = min(col + 1, w - 1);
    const float* line = img + (size_t)row * stride;
    dst[(size_t)row * stride + col] = (__ldg(line + left) + __ldg(line + col) + __ldg(line + right)) * (1.0f / 3.0f);
}

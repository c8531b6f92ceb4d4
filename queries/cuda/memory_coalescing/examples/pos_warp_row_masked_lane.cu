// One warp per row; lane i of the warp touches element i of each 32-wide slice, so the warp covers
// contiguous addresses at every step (coalesced).
__global__ void row_scale(const float* __restrict__ in, float* __restrict__ out, int rows, int cols, float s) {
  int r = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
  int l = threadIdx.x & 0x1f;
  if (r >= rows) return;
  for (int c = l; c < cols; c += 32) out[(size_t)r * cols + c] = in[(size_t)r * cols + c] * s;
}

// One warp per row, reads are coalesced, but each lane stores four interleaved results.
__global__ void row_pick(const float* __restrict__ in, float* __restrict__ out, int rows, int cols) {
  int r = (blockIdx.x * blockDim.x + threadIdx.x) >> 5;
  int l = threadIdx.x & 31;
  if (r >= rows) return;
  float v = in[(size_t)r * cols + l];
  out[(size_t)r * 128 + l * 4] = v;
}

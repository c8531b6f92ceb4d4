// Each warp walks one row of a matrix; the lane number comes from a binary mask of the thread index, so
// consecutive lanes read consecutive floats of the row on every pass.
__global__ void add_bias_rows(float* rows_data, const float* bias, int n_rows, int width) {
  const int warp_in_grid = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x & 0b11111;
  if (warp_in_grid >= n_rows) return;
  float* row = rows_data + (long long)warp_in_grid * width;
  for (int j = lane; j < width; j += 32) row[j] += bias[j];
}

// example: the host keeps the kernel in a local handle, sizes the grid from the SM count times resident blocks, and the kernel grid-strides over tiles. Positive.
template <int BS>
__global__ void tile_sum(const float* x, float* y, int tiles) {
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    float v = x[t * BS + threadIdx.x];
    y[t * BS + threadIdx.x] = v + 1.0f;
  }
}
void launch_tile_sum(const float* x, float* y, int tiles) {
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  auto handle = tile_sum<128>;
  int waves = prop.multiProcessorCount * 4;
  handle<<<waves, 128>>>(x, y, tiles);
}

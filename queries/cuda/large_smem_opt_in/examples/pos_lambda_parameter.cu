// example: a generic launcher lambda receives the kernel as a parameter and raises its dynamic smem limit to 96 KiB before launching it. Positive.
template <int TILE>
__global__ void stencil_tile(const float* in, float* out, int n) {
  extern __shared__ float buf[];
  int i = blockIdx.x * TILE + threadIdx.x;
  if (i < n) buf[threadIdx.x] = in[i];
  __syncthreads();
  if (i < n) out[i] = buf[threadIdx.x];
}
void run_stencil(const float* in, float* out, int n, bool big) {
  const int smem = 96 * 1024;
  auto go = [&](auto fn, int tile) {
    cudaFuncSetAttribute(fn, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
    fn<<<(n + tile - 1) / tile, tile, smem>>>(in, out, n);
  };
  if (big) go(stencil_tile<512>, 512); else go(stencil_tile<256>, 256);
}

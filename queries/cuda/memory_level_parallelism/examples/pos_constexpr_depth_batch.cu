#include <cuda_runtime.h>
namespace mlp {
constexpr int kDepth = 4;  // loads in flight per thread
__global__ void sum_rows(const float4* __restrict__ src, float* __restrict__ dst, int n_steps) {
  float total = 0.f;
  for (int s = 0; s < n_steps; s += kDepth) {
    float4 buf[kDepth];
#pragma unroll
    for (int d = 0; d < kDepth; ++d) buf[d] = src[(s + d) * blockDim.x + threadIdx.x];
#pragma unroll
    for (int d = 0; d < kDepth; ++d) total += buf[d].x + buf[d].y + buf[d].z + buf[d].w;
  }
  dst[blockIdx.x * blockDim.x + threadIdx.x] = total;
}
}  // namespace mlp

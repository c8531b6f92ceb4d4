// example: a type-generic kernel (no conversions in its body) instantiated with half at its launch; the alias is declared with using. Positive.
#include <cuda_fp16.h>
using act_t = half;
template <typename T>
__global__ void gelu_like(const T* x, T* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] * x[i];
}
void launch_gelu(const act_t* x, act_t* y, int n) { gelu_like<act_t><<<(n + 255) / 256, 256>>>(x, y, n); }

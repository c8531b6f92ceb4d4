// example: floatX resolves to float in this build (ENABLE_BF16 undefined); bf16 only in a comment and a disabled branch. Negative (near miss).
#include <cuda_bf16.h>
#if defined(ENABLE_BF16)
typedef __nv_bfloat16 floatX;
#else
typedef float floatX;  // __nv_bfloat16 when ENABLE_BF16 is set
#endif
__global__ void residual_add(floatX* out, const floatX* a, const floatX* b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = a[i] + b[i];
}

// example: llm.c-style floatX typedef that resolves to __nv_bfloat16 in the default build; fp32 math after conversions. Positive.
#include <cuda_bf16.h>
#if defined(ENABLE_FP32)
typedef float floatX;
#else
typedef __nv_bfloat16 floatX;
#endif
__global__ void residual_add(floatX* out, const floatX* a, const floatX* b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = __float2bfloat16(__bfloat162float(a[i]) + __bfloat162float(b[i]));
}

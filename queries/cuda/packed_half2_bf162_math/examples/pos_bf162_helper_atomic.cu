// example: a helper multiplies bf16 pairs with __hmul2 (typedef'd pair type), then the kernel adds them atomically to a packed address. Positive.
#include <cuda_bf16.h>
typedef __nv_bfloat162 bf16x2;
__device__ bf16x2 scale_pair(bf16x2 v, bf16x2 s) { return __hmul2(v, s); }
__global__ void scatter_add(const bf16x2* grads, bf16x2* table, const int* rows, bf16x2 s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        bf16x2 g = scale_pair(grads[i], s);
        atomicAdd(&table[rows[i]], g);
    }
}

// example: half2 is only the load vector; both halves are converted to float and the math is fp32; __hadd2 only in a comment. Negative (near miss).
#include <cuda_fp16.h>
__global__ void sum_pairs(const half2* x, float* out, int n2) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n2) {
        // __hadd2 would lose precision here
        float2 f = __half22float2(x[i]);
        out[i] = f.x + f.y;
    }
}

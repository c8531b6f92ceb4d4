// example: residual add written with __hadd2 on half2 pairs, then RMS normalisation of the sum in the same kernel. Positive.
#include <cuda_fp16.h>
__global__ void add_then_rmsnorm(const half2* a, const half2* b, half2* y, int pairs, float eps) {
    const half2* ra = a + (size_t)blockIdx.x * pairs;
    const half2* rb = b + (size_t)blockIdx.x * pairs;
    half2* ry = y + (size_t)blockIdx.x * pairs;
    __shared__ float ss;
    if (threadIdx.x == 0) ss = 0.f;
    __syncthreads();
    float local = 0.f;
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) {
        half2 s;
        s = __hadd2(ra[p], rb[p]);
        ry[p] = s;
        float2 f = __half22float2(s);
        local += f.x * f.x + f.y * f.y;
    }
    atomicAdd(&ss, local);
    __syncthreads();
    const float r = rsqrtf(ss / (2 * pairs) + eps);
    for (int p = threadIdx.x; p < pairs; p += blockDim.x) {
        float2 f = __half22float2(ry[p]);
        ry[p] = __floats2half2_rn(f.x * r, f.y * r);
    }
}

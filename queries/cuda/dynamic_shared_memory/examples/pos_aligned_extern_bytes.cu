// example: dynamic shared memory declared as aligned raw bytes (`extern __shared__ __align__(16) unsigned char`),
// carved into two arrays and sized at the launch. Positive.
#include <cuda_runtime.h>

__global__ void pairwise_scale(const float* a, const float* b, float* out, int n) {
    extern __shared__ __align__(16) unsigned char pool[];
    float* sa = reinterpret_cast<float*>(pool);
    float* sb = sa + blockDim.x;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    sa[threadIdx.x] = i < n ? a[i] : 0.f;
    sb[threadIdx.x] = i < n ? b[i] : 0.f;
    __syncthreads();
    int j = (threadIdx.x + 1) % blockDim.x;
    if (i < n) out[i] = sa[threadIdx.x] * sb[j];
}

void run_pairwise(const float* a, const float* b, float* out, int n, cudaStream_t stream) {
    int threads = 256;
    pairwise_scale<<<(n + threads - 1) / threads, threads, 2 * threads * sizeof(float), stream>>>(a, b, out, n);
}

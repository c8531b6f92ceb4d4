// example: template kernel opted in through a (void*) cast with a size computed at run time. Positive.
template <int BM>
__global__ void gemm_stage(const float* a, float* c, int k) {
    extern __shared__ float stage[];
    stage[threadIdx.x] = a[blockIdx.x * BM + threadIdx.x];
    __syncthreads();
    c[blockIdx.x * BM + threadIdx.x] = stage[(threadIdx.x + k) % BM];
}

void run_gemm_stage(const float* a, float* c, int k, int stages) {
    int bytes = stages * 128 * 64 * (int)sizeof(float);
    cudaFuncSetAttribute((void*)gemm_stage<128>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
    gemm_stage<128><<<64, 128, bytes>>>(a, c, k);
}

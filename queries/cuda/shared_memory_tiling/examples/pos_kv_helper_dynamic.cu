// example: a device helper stages one key row into dynamic shared memory; every thread scores against it. Positive.
__device__ void stage_row(float* dst, const float* src, int d) {
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float v = src[i];
        dst[i] = v;
    }
    __syncthreads();
}

__global__ void scores(const float* q, const float* k, float* out, int d) {
    extern __shared__ float key_row[];
    stage_row(key_row, k + blockIdx.x * d, d);
    float s = 0.f;
    for (int j = 0; j < d; ++j) s += q[threadIdx.x * d + j] * key_row[j];
    out[blockIdx.x * blockDim.x + threadIdx.x] = s;
}

// example: a shared staging buffer declared alignas(16) so it can be read as float4. Positive.
__global__ void stage_aligned(const float* x, float* y) {
    alignas(16) __shared__ float buf[256];
    buf[threadIdx.x] = x[blockIdx.x * 256 + threadIdx.x];
    __syncthreads();
    if (threadIdx.x < 64) {
        float4 v = reinterpret_cast<float4*>(buf)[threadIdx.x];
        y[blockIdx.x * 64 + threadIdx.x] = v.x + v.y + v.z + v.w;
    }
}

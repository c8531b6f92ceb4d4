// example: a helper receives a __shared__ buffer as a pointer but only stages global data into it for
// neighbouring threads to read; nothing is combined across warps. Negative (near miss).
__device__ void stage(float* buf, const float* src, int n) {
    for (int i = threadIdx.x; i < n; i += blockDim.x) buf[i] = src[i];
    __syncthreads();
}
__global__ void smooth(const float* in, float* out, int n) {
    extern __shared__ float line[];
    stage(line, in + blockIdx.x * n, n);
    for (int i = threadIdx.x + 1; i < n - 1; i += blockDim.x)
        out[blockIdx.x * n + i] = 0.25f * line[i - 1] + 0.5f * line[i] + 0.25f * line[i + 1];
}

// example: comments only say a barrier is required here; the barrier is unconditional. Negative (near miss).
__global__ void stage_and_reverse(const float* x, float* y) {
    __shared__ float s[128];
    s[threadIdx.x] = x[blockIdx.x * 128 + threadIdx.x];
    // __syncthreads is required: every thread reads another thread's value below
    __syncthreads();
    y[blockIdx.x * 128 + threadIdx.x] = s[127 - threadIdx.x];
}

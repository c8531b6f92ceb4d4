// example: inline PTX load with the .cs (streaming) cache operator. Positive.
__device__ float ld_streaming(const float* p) {
    float v;
    asm volatile("ld.global.cs.f32 %0, [%1];" : "=f"(v) : "l"(p));
    return v;
}
__global__ void copy_once(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = ld_streaming(x + i);
}

// example: a cp.async helper is defined but the kernel copies with ordinary loads. Negative.
__device__ void cp_async16(void* smem, const void* gmem) {
    unsigned addr = __cvta_generic_to_shared(smem);
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" :: "r"(addr), "l"(gmem));
}
__global__ void copy_tile(const float4* x, float4* y) {
    __shared__ float4 tile[128];
    tile[threadIdx.x] = x[blockIdx.x * 128 + threadIdx.x];
    __syncthreads();
    y[blockIdx.x * 128 + threadIdx.x] = tile[127 - threadIdx.x];
}

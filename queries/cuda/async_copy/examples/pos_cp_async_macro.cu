// example: cp.async issued through project macros wrapping inline PTX (as many GEMM kernels do). Positive.
#define CP_ASYNC_CG(dst, src, bytes) \
    asm volatile("cp.async.cg.shared.global [%0], [%1], %2;\n" :: "r"(dst), "l"(src), "n"(bytes))
#define CP_ASYNC_COMMIT() asm volatile("cp.async.commit_group;\n" ::)
#define CP_ASYNC_WAIT(n) asm volatile("cp.async.wait_group %0;\n" :: "n"(n))

__global__ void stage_rows(const float4* src, float4* dst) {
    __shared__ float4 tile[256];
    unsigned addr = __cvta_generic_to_shared(&tile[threadIdx.x]);
    CP_ASYNC_CG(addr, src + blockIdx.x * 256 + threadIdx.x, 16);
    CP_ASYNC_COMMIT();
    CP_ASYNC_WAIT(0);
    __syncthreads();
    dst[blockIdx.x * 256 + threadIdx.x] = tile[255 - threadIdx.x];
}

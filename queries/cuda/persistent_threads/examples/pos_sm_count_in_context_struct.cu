// example: a set-up function stores the SM count in a context struct; the launch sizes its grid from that field
// and the kernel grid-strides over the input. Positive.

struct LaunchCtx { int sm_count; };

LaunchCtx make_ctx(int device) {
    cudaDeviceProp prop{};
    cudaGetDeviceProperties(&prop, device);
    LaunchCtx ctx;
    ctx.sm_count = prop.multiProcessorCount;
    return ctx;
}

__global__ void square_sum(const float* x, long n, float* out) {
    float s = 0.f;
    for (long i = (long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) s += x[i] * x[i];
    atomicAdd(out, s);
}

void run(const LaunchCtx& ctx, const float* x, long n, float* out) {
    square_sum<<<ctx.sm_count * 2, 256>>>(x, n, out);
}

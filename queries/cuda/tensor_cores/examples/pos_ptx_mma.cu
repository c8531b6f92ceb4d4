// example: inline PTX mma.sync in a device helper the kernel calls (m16n8k16, bf16 inputs, fp32 accumulate). Positive.
__device__ __forceinline__ void mma_m16n8k16(float* d, const unsigned* a, const unsigned* b) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
__global__ void mma_tile(const unsigned* a, const unsigned* b, float* c) {
    float acc[4] = {0.f, 0.f, 0.f, 0.f};
    mma_m16n8k16(acc, a + threadIdx.x * 4, b + threadIdx.x * 2);
    for (int i = 0; i < 4; ++i) c[threadIdx.x * 4 + i] = acc[i];
}

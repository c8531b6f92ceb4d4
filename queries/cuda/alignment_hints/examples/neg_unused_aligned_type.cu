// example: an aligned struct is declared but the kernel never uses it; alignment only in a comment. Negative.
struct alignas(16) Quad { float a, b, c, d; };

// assume 16-byte alignment (__builtin_assume_aligned) once the allocator guarantees it
__global__ void add_one(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += 1.f;
}

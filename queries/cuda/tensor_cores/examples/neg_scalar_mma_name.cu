// example: includes <mma.h> but multiplies with scalar FMAs in a helper called mma, and its inline PTX is fma.rn.f32. Negative (near miss).
#include <mma.h>
__device__ float mma(float a, float b, float c) {
    float d;
    asm("fma.rn.f32 %0, %1, %2, %3;" : "=f"(d) : "f"(a), "f"(b), "f"(c));
    return d;
}
__global__ void naive_matmul(const float* A, const float* B, float* C, int N) {
    int row = blockIdx.y * blockDim.y + threadIdx.y, col = blockIdx.x * blockDim.x + threadIdx.x;
    float acc = 0.f;
    for (int k = 0; k < N; ++k) acc = mma(A[row * N + k], B[k * N + col], acc);
    C[row * N + col] = acc;
}

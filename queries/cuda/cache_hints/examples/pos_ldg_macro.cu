// example: read-only loads through a macro around __ldg, in a template kernel. Positive.
#define LDG(p) __ldg(p)
template <typename T>
__global__ void gather(const T* table, const int* idx, T* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = LDG(table + LDG(idx + i));
}
template __global__ void gather<float>(const float*, const int*, float*, int);

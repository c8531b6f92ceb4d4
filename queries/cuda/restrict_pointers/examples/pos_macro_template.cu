// example: template kernel whose restrict qualifier comes from a project macro. Positive.
#define RESTRICT __restrict__
template <typename T>
__global__ void axpy(const T* RESTRICT x, T* RESTRICT y, T a, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) y[i] += a * x[i];
}
template __global__ void axpy<float>(const float*, float*, float, int);

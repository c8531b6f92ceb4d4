// example: an elementwise kernel specialised on a device-function pointer template parameter. Positive.
__device__ float square(float v) { return v * v; }
typedef float (*unary_fn)(float);
template <unary_fn F>
__global__ void map_kernel(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = F(x[i]);
}
void launch_square(const float* x, float* y, int n) { map_kernel<square><<<(n + 255) / 256, 256>>>(x, y, n); }

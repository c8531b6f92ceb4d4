// example: "__launch_bounds__(256)" only in a comment and a string, and a block-size macro named LAUNCH_BOUNDS used at the launch. Negative (near miss).
#define LAUNCH_BOUNDS 256
__device__ const char* kHint = "__launch_bounds__(256)";
// TODO: add __launch_bounds__(256) once register use is measured
__global__ void add(const float* a, float* b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) b[i] += a[i];
}
void launch_add(const float* a, float* b, int n) { add<<<(n + LAUNCH_BOUNDS - 1) / LAUNCH_BOUNDS, LAUNCH_BOUNDS>>>(a, b, n); }

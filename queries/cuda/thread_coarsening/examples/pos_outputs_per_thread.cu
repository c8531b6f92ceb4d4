// example: each thread produces items_per_thread consecutive outputs (a run-time count) from its own index, via a template and a typedef. Positive.
typedef float real;
template <typename T>
__global__ void expand(const T* in, T* out, int n, int items_per_thread) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    for (int k = 0; k < items_per_thread; ++k) {
        int idx = t * items_per_thread + k;
        if (idx < n) out[idx] = in[idx] * (T)2;
    }
}
template __global__ void expand<real>(const real*, real*, int, int);

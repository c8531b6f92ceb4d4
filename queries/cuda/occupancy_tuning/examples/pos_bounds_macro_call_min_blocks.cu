// example: a function-like macro called between the qualifiers and the kernel name expands to __launch_bounds__
// with the thread count and a minimum of 3 resident blocks per SM taken from a traits struct. Positive.
#define KERNEL_LIMITS(...) __launch_bounds__(__VA_ARGS__)

struct ScanTraits {
    static constexpr int threads = 192;
    static constexpr int resident = 3;
};

template <class T>
__global__ void KERNEL_LIMITS(T::threads, T::resident)
axpy_traits(float a, const float* x, float* y, int n) {
    for (int i = blockIdx.x * T::threads + threadIdx.x; i < n; i += gridDim.x * T::threads) y[i] += a * x[i];
}

void axpy(float a, const float* x, float* y, int n) {
    axpy_traits<ScanTraits><<<(n + 191) / 192, ScanTraits::threads>>>(a, x, y, n);
}

// example: a dispatch macro that binds the element type to float only; a half case is mentioned in a comment inside
// the replacement (a plan, not code), so no instantiation uses a 16-bit type. Negative.
#define WITH_FLOAT(...)                                                   \
  do {                                                                    \
    /* later: using elem_t = half; once the fp16 path is validated */     \
    using elem_t = float; __VA_ARGS__();                                  \
  } while (0)

template <typename T>
__global__ void saxpy(T a, const T* x, T* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

void run_saxpy(float a, const float* x, float* y, int n) {
  WITH_FLOAT([&] { saxpy<elem_t><<<(n + 255) / 256, 256>>>(static_cast<elem_t>(a), x, y, n); });
}

// example: a generic copy kernel whose element type comes from a dtype-dispatch macro binding `elem_t` to half in one case; the host picks an instantiation through a pointer before launching. Positive.
#include <cuda_fp16.h>
enum class DType { F32, F16 };
#define FOR_EACH_DTYPE(DT, ...)                                   \
  switch (DT) {                                                   \
    case DType::F32: { using elem_t = float; __VA_ARGS__(); break; } \
    case DType::F16: { using elem_t = __half; __VA_ARGS__(); break; } \
  }
template <typename T, int UNROLL>
__global__ void scale_rows(const T* in, T* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i];
}
void scale(DType dt, const void* in, void* out, int n) {
  FOR_EACH_DTYPE(dt, [&] {
    auto fn = n > 4096 ? scale_rows<elem_t, 4> : scale_rows<elem_t, 1>;
    fn<<<(n + 127) / 128, 128>>>(static_cast<const elem_t*>(in), static_cast<elem_t*>(out), n);
  });
}

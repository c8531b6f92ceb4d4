// example: an element-type dispatch macro whose cases bind the element type with typedef (one case to
// __nv_bfloat16); the kernel template is instantiated with that name inside the dispatched lambda. Positive.
#include <cuda_bf16.h>
enum class Precision { Full, Brain };
#define WITH_ELEMENT_TYPE(P, ...)                                              \
  do {                                                                         \
    if ((P) == Precision::Full) { typedef float value_type; __VA_ARGS__(); }   \
    else { typedef __nv_bfloat16 value_type; __VA_ARGS__(); }                  \
  } while (0)

template <typename T>
__global__ void copy_rows(const T* src, T* dst, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) dst[i] = src[i];
}

void copy(Precision p, const void* src, void* dst, int n) {
  WITH_ELEMENT_TYPE(p, [&] {
    copy_rows<value_type><<<(n + 255) / 256, 256>>>(static_cast<const value_type*>(src), static_cast<value_type*>(dst), n);
  });
}

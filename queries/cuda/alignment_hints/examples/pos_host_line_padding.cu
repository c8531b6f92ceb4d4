// example: the host packs several arrays into one allocation and rounds every array's byte offset up to a 256-byte boundary. Positive.
#include <cstddef>
__global__ void add_arrays(float* base, const size_t* offsets, int count, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) for (int a = 1; a < count; ++a) base[offsets[0] / sizeof(float) + i] += base[offsets[a] / sizeof(float) + i];
}
size_t pack_offsets(const int* lengths, size_t* offsets, int count) {
  constexpr size_t kLine = 256;
  size_t bytes = 0;
  for (int a = 0; a < count; ++a) {
    offsets[a] = bytes;
    bytes += (lengths[a] * sizeof(float) + kLine - 1) / kLine * kLine;
  }
  return bytes;
}

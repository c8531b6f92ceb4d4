// example: a 16-byte aligned Packed128<T> with load/store helpers, used through a typedef. Positive.
#include <cuda_bf16.h>
template <class T>
struct alignas(16) Packed128 {
    static constexpr int size = 16 / sizeof(T);
    T payload[size];
};
template <class T>
__device__ Packed128<T> load128(const T* p) { return *reinterpret_cast<const Packed128<T>*>(p); }
template <class T>
__device__ void store128(T* p, Packed128<T> v) { *reinterpret_cast<Packed128<T>*>(p) = v; }

typedef __nv_bfloat16 floatX;
typedef Packed128<floatX> x128;

__global__ void residual(floatX* out, const floatX* a, const floatX* b, int n) {
    int i = (blockIdx.x * blockDim.x + threadIdx.x) * x128::size;
    if (i >= n) return;
    x128 pa = load128(a + i), pb = load128(b + i), po;
    for (int k = 0; k < x128::size; ++k) po.payload[k] = pa.payload[k] + pb.payload[k];
    store128(out + i, po);
}

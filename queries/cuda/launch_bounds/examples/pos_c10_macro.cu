// example: a PyTorch extension kernel bounded with C10_LAUNCH_BOUNDS_1 from c10/macros/Macros.h. Positive.

#include <c10/macros/Macros.h>
template <typename scalar_t>
__global__ void C10_LAUNCH_BOUNDS_1(512) scale_kernel(scalar_t* out, const scalar_t* in, scalar_t s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = in[i] * s;
}

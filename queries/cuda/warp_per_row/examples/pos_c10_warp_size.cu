// example: a PyTorch extension kernel: the row is the warp number and the lanes stride by C10_WARP_SIZE (a macro
// of c10/macros/Macros.h). Positive.

#include <c10/macros/Macros.h>

template <typename scalar_t>
__global__ void row_max(const scalar_t* src, scalar_t* dst, long rows, int cols) {
    const int warps = blockDim.x / C10_WARP_SIZE;
    const long row = (long)blockIdx.x * warps + threadIdx.x / C10_WARP_SIZE;
    const int lane = threadIdx.x % C10_WARP_SIZE;
    if (row >= rows) return;
    float m = -1e30f;
    for (int c = lane; c < cols; c += C10_WARP_SIZE) m = fmaxf(m, (float)src[row * cols + c]);
    for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffff, m, o));
    if (lane == 0) dst[row] = (scalar_t)m;
}

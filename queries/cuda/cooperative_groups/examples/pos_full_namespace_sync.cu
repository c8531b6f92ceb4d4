// example: the fully qualified namespace (no alias): a thread block's sync() and thread_rank() replace raw indices. Positive.
#include <cooperative_groups.h>
__global__ void scale_shared(float* data, float s) {
    __shared__ float buf[256];
    cooperative_groups::thread_block b = cooperative_groups::this_thread_block();
    unsigned t = b.thread_rank();
    buf[t] = data[blockIdx.x * 256 + t] * s;
    b.sync();
    data[blockIdx.x * 256 + t] = buf[255 - t];
}

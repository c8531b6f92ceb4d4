// example: cooperative groups block-wide memcpy_async into shared memory, then cg::wait. Positive.
#include <cooperative_groups.h>
#include <cooperative_groups/memcpy_async.h>
namespace cg = cooperative_groups;
__global__ void row_scale(const float* x, float* y, int n) {
    extern __shared__ float row[];
    cg::thread_block block = cg::this_thread_block();
    cg::memcpy_async(block, row, x + blockIdx.x * n, sizeof(float) * n);
    cg::wait(block);
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[blockIdx.x * n + i] = row[i] / row[0];
}

// example: cooperative groups: idx = blockIdx.x * meta_group_size() + meta_group_rank(), lanes stride by warp.size(); macros for the warp size. Positive.
#include <cooperative_groups.h>
namespace cg = cooperative_groups;
#define WARP_SIZE 32
__global__ void row_mean(const float* inp, float* mean, int N, int C) {
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<WARP_SIZE> warp = cg::tiled_partition<WARP_SIZE>(block);
    int idx = blockIdx.x * warp.meta_group_size() + warp.meta_group_rank();
    if (idx >= N) return;
    float sum = 0.0f;
    for (int i = warp.thread_rank(); i < C; i += warp.size()) sum += inp[idx * C + i];
    for (int o = 16; o > 0; o >>= 1) sum += warp.shfl_down(sum, o);
    if (warp.thread_rank() == 0) mean[idx] = sum / C;
}

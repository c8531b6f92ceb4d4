// example: cooperative groups: per-tile partials in shared, block.sync(), thread 0 accumulates them. Positive.
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
namespace cg = cooperative_groups;
typedef float acc_t;
__global__ void dot_partials(const float* a, const float* b, float* out, int n) {
    __shared__ acc_t warp_sums[32];
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
    acc_t v = 0;
    for (int i = block.thread_rank(); i < n; i += block.size()) v += a[i] * b[i];
    v = cg::reduce(tile, v, cg::plus<acc_t>());
    if (tile.thread_rank() == 0) warp_sums[tile.meta_group_rank()] = v;
    block.sync();
    if (block.thread_rank() == 0) {
        acc_t total = 0;
        for (unsigned w = 0; w < tile.meta_group_size(); ++w) total += warp_sums[w];
        out[blockIdx.x] = total;
    }
}

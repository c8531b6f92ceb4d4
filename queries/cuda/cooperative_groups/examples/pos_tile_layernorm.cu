// example: llm.c-style layernorm statistics with a 32-thread tile from cg::tiled_partition, reached through a helper. Positive.
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
namespace cg = cooperative_groups;
__device__ float tile_mean(const cg::thread_block_tile<32>& warp, const float* x, int C) {
    float sum = 0.0f;
    for (int i = warp.thread_rank(); i < C; i += warp.size()) sum += x[i];
    return cg::reduce(warp, sum, cg::plus<float>()) / C;
}
__global__ void layernorm_mean(const float* inp, float* mean, int N, int C) {
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
    int idx = blockIdx.x * warp.meta_group_size() + warp.meta_group_rank();
    if (idx >= N) return;
    float m = tile_mean(warp, inp + idx * C, C);
    if (warp.thread_rank() == 0) mean[idx] = m;
}

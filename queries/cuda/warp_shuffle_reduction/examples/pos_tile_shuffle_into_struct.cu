// example: a cooperative-groups tile shuffles both fields of a (max, sum) pair into a struct, which a helper then merges with the lane's own pair; positive.

#include <cooperative_groups.h>
namespace cg = cooperative_groups;

struct Pair { float m; float s; };

__device__ Pair combine(Pair a, Pair b) {
    const float m = fmaxf(a.m, b.m);
    return Pair{ m, a.s * __expf(a.m - m) + b.s * __expf(b.m - m) };
}

__global__ void warp_pairs(const Pair* __restrict__ in, Pair* __restrict__ out) {
    cg::thread_block_tile<32> tile = cg::tiled_partition<32>(cg::this_thread_block());
    Pair p = in[blockIdx.x * blockDim.x + threadIdx.x];
    for (int off = 16; off > 0; off >>= 1) {
        Pair other{ tile.shfl_xor(p.m, off), tile.shfl_xor(p.s, off) };
        p = combine(p, other);
    }
    if (tile.thread_rank() == 0) out[blockIdx.x * (blockDim.x / 32) + tile.meta_group_rank()] = p;
}

// Warp and block reductions shared by the kernels, reached through a macro.
#pragma once
#include "common.cuh"

__device__ __forceinline__ float warp_all_sum(float v) {
    for (int offset = LANES / 2; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(FULL_MASK, v, offset);
    }
    return v;
}

#define WARP_SUM(x) warp_all_sum(x)

// e7_reductions.cu
// Three ways to sum a large float array:
//   sum_atomic              - warp shuffle + one float atomicAdd per warp
//   sum_last_block<BLOCK>   - shared-memory tree, partials, last CTA finishes (single launch)
//   sum_cg_persistent       - cooperative-groups reduce, persistent grid, second tiny pass
#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cstdio>
#include <vector>

namespace cg = cooperative_groups;

__global__ void sum_atomic(const float* __restrict__ x, size_t n, float* __restrict__ result) {
    float v = 0.f;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        v += x[i];
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    if ((threadIdx.x & 31) == 0) atomicAdd(result, v);   // order of arrival decides rounding
}

// Two-level reduction in a single launch. The only atomic is the integer arrival counter;
// the partials are combined by the last CTA in blockIdx order, so the sum does not depend on
// scheduling (bitwise reproducible, no float atomics).
template <int BLOCK>
__global__ void sum_last_block(const float* __restrict__ x, size_t n, float* __restrict__ partials,
                               unsigned int* __restrict__ counter, float* __restrict__ result) {
    __shared__ float red[BLOCK];
    __shared__ bool am_last;
    const int tid = threadIdx.x;

    float v = 0.f;
    for (size_t i = blockIdx.x * (size_t)BLOCK + tid; i < n; i += (size_t)gridDim.x * BLOCK) v += x[i];
    red[tid] = v;
    __syncthreads();
#pragma unroll
    for (int s = BLOCK / 2; s > 32; s >>= 1) {
        if (tid < s) red[tid] += red[tid + s];
        __syncthreads();
    }
    if (tid < 32) {
        v = red[tid] + red[tid + 32];
#pragma unroll
        for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    }
    if (tid == 0) {
        partials[blockIdx.x] = v;
        __threadfence();                                  // publish before taking a ticket
        unsigned int ticket = atomicInc(counter, gridDim.x);
        am_last = (ticket == gridDim.x - 1);
    }
    __syncthreads();
    if (!am_last) return;

    v = 0.f;
    for (int i = tid; i < (int)gridDim.x; i += BLOCK) v += __ldcg(partials + i);
    red[tid] = v;
    __syncthreads();
#pragma unroll
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (tid < s) red[tid] += red[tid + s];
        __syncthreads();
    }
    if (tid == 0) *result = red[0];                     // atomicInc wrapped the counter to 0
}

// Persistent variant: the grid is sized to fill the GPU once and loops over the input.
// Called twice: pass 1 writes one partial per CTA, pass 2 (one CTA) sums the partials.
// Deterministic: fixed assignment of elements to threads and no floating-point atomics.
__global__ void sum_cg_persistent(const float* __restrict__ x, size_t n, float* __restrict__ out) {
    __shared__ float warp_sums[32];
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);

    float v = 0.f;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        v += x[i];
    v = cg::reduce(tile, v, cg::plus<float>());
    if (tile.thread_rank() == 0) warp_sums[tile.meta_group_rank()] = v;
    block.sync();
    if (tile.meta_group_rank() == 0) {
        v = tile.thread_rank() < tile.meta_group_size() ? warp_sums[tile.thread_rank()] : 0.f;
        v = cg::reduce(tile, v, cg::plus<float>());
        if (tile.thread_rank() == 0) out[blockIdx.x] = v;
    }
}

int main() {
    const size_t n = (size_t)1 << 26;
    std::vector<float> h(n);
    for (size_t i = 0; i < n; ++i) h[i] = (float)(i % 1000) * 1e-3f;
    float *dx, *dres, *dpart;
    unsigned int* dcount;
    cudaMalloc(&dx, n * sizeof(float));
    cudaMalloc(&dres, 3 * sizeof(float));
    cudaMalloc(&dpart, 4096 * sizeof(float));
    cudaMalloc(&dcount, sizeof(unsigned int));
    cudaMemcpy(dx, h.data(), n * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemset(dres, 0, 3 * sizeof(float));
    cudaMemset(dcount, 0, sizeof(unsigned int));

    sum_atomic<<<1024, 256>>>(dx, n, dres + 0);
    sum_last_block<256><<<1024, 256>>>(dx, n, dpart, dcount, dres + 1);

    // persistent grid: exactly as many CTAs as can be resident at once
    int dev = 0, num_sms = 0, per_sm = 0;
    const int threads = 512;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&num_sms, cudaDevAttrMultiProcessorCount, dev);
    cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, sum_cg_persistent, threads, 0);
    int grid = num_sms * per_sm;
    if (grid > 4096) grid = 4096;
    sum_cg_persistent<<<grid, threads>>>(dx, n, dpart);
    sum_cg_persistent<<<1, threads>>>(dpart, (size_t)grid, dres + 2);

    float r[3];
    cudaMemcpy(r, dres, sizeof(r), cudaMemcpyDeviceToHost);
    printf("atomic %.6f  last-block %.6f  cg %.6f\n", r[0], r[1], r[2]);
    cudaFree(dx); cudaFree(dres); cudaFree(dpart); cudaFree(dcount);
    return 0;
}

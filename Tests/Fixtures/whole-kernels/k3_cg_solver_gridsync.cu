// cg_solver_gridsync.cu -- conjugate gradient for the 1-D Poisson matrix
// A = tridiag(-1, 2, -1), the whole solve in ONE cooperative kernel:
// phases are separated by grid.sync() instead of kernel boundaries.
#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>

namespace cg = cooperative_groups;

#define CG_THREADS 256
#define CG_WARPS (CG_THREADS / 32)

#define CHECK_CUDA(c) do { cudaError_t _e = (c); if (_e != cudaSuccess) { \
    fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(_e)); exit(1); } } while (0)

// y_i = 2 v_i - v_{i-1} - v_{i+1}; neighbour indices are clamped and the
// boundary terms multiplied by 0, so all three loads are unconditional.
__device__ __forceinline__ float apply_A(const float* __restrict__ v, int i, int n)
{
    const float wl = (float)(i > 0);
    const float wr = (float)(i < n - 1);
    return 2.f * v[i] - wl * v[max(i - 1, 0)] - wr * v[min(i + 1, n - 1)];
}

// Grid-wide dot product. Each block publishes one partial; after grid.sync
// every block adds all partials in the same fixed order, so all blocks see
// the bit-identical value (required: the loop condition must be uniform
// across the grid) and no float atomics are used.
// `partials` alternates between two buffers from call to call: a block may
// only overwrite buffer k after everybody passed the grid.sync of call k+1,
// which saves a second grid.sync per dot product.
__device__ float grid_dot(cg::grid_group& grid, cg::thread_block& block,
                          const float* __restrict__ a, const float* __restrict__ b, int n,
                          float* __restrict__ partials, float* s_warp)
{
    cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
    float sum = 0.f;
    for (int i = grid.thread_rank(); i < n; i += grid.size()) sum = fmaf(a[i], b[i], sum);
    sum = cg::reduce(tile, sum, cg::plus<float>());
    if (tile.thread_rank() == 0) s_warp[tile.meta_group_rank()] = sum;
    block.sync();
    if (block.thread_rank() == 0) {
        float t = 0.f;
        for (int w = 0; w < CG_WARPS; ++w) t += s_warp[w];
        partials[blockIdx.x] = t;
    }
    grid.sync();
    float t = 0.f;
    for (int blk = tile.thread_rank(); blk < (int)gridDim.x; blk += 32) t += partials[blk];
    return cg::reduce(tile, t, cg::plus<float>());
}

__global__ void __launch_bounds__(CG_THREADS)
cg_solver_persistent(const float* __restrict__ b, float* __restrict__ x, float* __restrict__ r,
                     float* __restrict__ p, float* __restrict__ Ap, float* __restrict__ partials,
                     int n, int max_iter, float tol2, int* __restrict__ iters_out, float* __restrict__ res_out)
{
    cg::grid_group grid = cg::this_grid();
    cg::thread_block block = cg::this_thread_block();
    __shared__ float s_warp[CG_WARPS];
    const int stride = grid.size();
    const int gtid = grid.thread_rank();

    for (int i = gtid; i < n; i += stride) { x[i] = 0.f; r[i] = b[i]; p[i] = b[i]; }
    grid.sync();

    int buf = 0;
    float rr = grid_dot(grid, block, r, r, n, partials + buf * gridDim.x, s_warp);
    buf ^= 1;
    int k = 0;
    for (; k < max_iter && rr > tol2; ++k) {
        for (int i = gtid; i < n; i += stride) Ap[i] = apply_A(p, i, n);
        grid.sync();                                          // Ap needs neighbours' p; dot needs all Ap
        const float pAp = grid_dot(grid, block, p, Ap, n, partials + buf * gridDim.x, s_warp);
        buf ^= 1;
        const float alpha = rr / pAp;
        for (int i = gtid; i < n; i += stride) {
            x[i] = fmaf(alpha, p[i], x[i]);
            r[i] = fmaf(-alpha, Ap[i], r[i]);
        }
        // no grid.sync here: grid_dot reads r with the same thread->index
        // mapping as the update above, every thread only reads its own r[i]
        const float rr_new = grid_dot(grid, block, r, r, n, partials + buf * gridDim.x, s_warp);
        buf ^= 1;
        const float beta = rr_new / rr;
        for (int i = gtid; i < n; i += stride) p[i] = fmaf(beta, p[i], r[i]);
        grid.sync();                                          // next apply_A reads neighbours' p
        rr = rr_new;
    }
    if (grid.thread_rank() == 0) { *iters_out = k; *res_out = sqrtf(rr); }
}

// Independent check ||b - A x||^2 with an ordinary launch.
__global__ void residual_norm2_check(const float* __restrict__ b, const float* __restrict__ x, int n,
                                     float* __restrict__ out)
{
    float s = 0.f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        const float d = b[i] - apply_A(x, i, n);
        s = fmaf(d, d, s);
    }
    for (int off = 16; off > 0; off >>= 1) s += __shfl_down_sync(0xffffffffu, s, off);
    if ((threadIdx.x & 31) == 0) atomicAdd(out, s);
}

int main(int argc, char** argv)
{
    const int n = (argc > 1) ? atoi(argv[1]) : (1 << 16);
    const int max_iter = 4 * n;
    const float tol = 1e-5f;

    int dev = 0;
    CHECK_CUDA(cudaSetDevice(dev));
    cudaDeviceProp prop;
    CHECK_CUDA(cudaGetDeviceProperties(&prop, dev));
    if (!prop.cooperativeLaunch) { fprintf(stderr, "device lacks cooperative launch\n"); return 1; }

    std::vector<float> hb(n);
    for (int i = 0; i < n; ++i) hb[i] = (1.0f + 0.5f * sinf(0.01f * i)) / (float)n;
    float bb = 0.f;
    for (int i = 0; i < n; ++i) bb += hb[i] * hb[i];

    float *d_b, *d_x, *d_r, *d_p, *d_Ap, *d_part, *d_res, *d_chk;
    int* d_iters;
    CHECK_CUDA(cudaMalloc(&d_b, n * sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_x, n * sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_r, n * sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_p, n * sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_Ap, n * sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_res, sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_chk, sizeof(float)));
    CHECK_CUDA(cudaMalloc(&d_iters, sizeof(int)));
    CHECK_CUDA(cudaMemcpy(d_b, hb.data(), n * sizeof(float), cudaMemcpyHostToDevice));

    // grid.sync() requires every block to be resident: size the grid from
    // the occupancy calculator, not from n
    int blocksPerSM = 0;
    CHECK_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocksPerSM, cg_solver_persistent, CG_THREADS, 0));
    const int gridBlocks = blocksPerSM * prop.multiProcessorCount;
    CHECK_CUDA(cudaMalloc(&d_part, 2 * gridBlocks * sizeof(float)));

    float tol2 = tol * tol * bb;
    void* args[] = { &d_b, &d_x, &d_r, &d_p, &d_Ap, &d_part, (void*)&n, (void*)&max_iter, &tol2, &d_iters, &d_res };
    CHECK_CUDA(cudaLaunchCooperativeKernel((void*)cg_solver_persistent, dim3(gridBlocks), dim3(CG_THREADS),
                                           args, 0, 0));

    CHECK_CUDA(cudaMemset(d_chk, 0, sizeof(float)));
    residual_norm2_check<<<(n + 255) / 256, 256>>>(d_b, d_x, n, d_chk);
    CHECK_CUDA(cudaDeviceSynchronize());

    int iters = 0;
    float res = 0.f, chk = 0.f;
    CHECK_CUDA(cudaMemcpy(&iters, d_iters, sizeof(int), cudaMemcpyDeviceToHost));
    CHECK_CUDA(cudaMemcpy(&res, d_res, sizeof(float), cudaMemcpyDeviceToHost));
    CHECK_CUDA(cudaMemcpy(&chk, d_chk, sizeof(float), cudaMemcpyDeviceToHost));
    printf("n=%d grid=%dx%d iters=%d |r|=%.3e check=%.3e\n", n, gridBlocks, CG_THREADS, iters, res, sqrtf(chk));

    cudaFree(d_b); cudaFree(d_x); cudaFree(d_r); cudaFree(d_p); cudaFree(d_Ap);
    cudaFree(d_part); cudaFree(d_res); cudaFree(d_chk); cudaFree(d_iters);
    return 0;
}

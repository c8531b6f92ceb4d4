// spmv_csr_portable.cu -- CSR sparse matrix-vector product y = A*x
// Single source for CUDA and HIP through the gpu_* macro layer below.
// Rows are binned on the host: short rows -> sub-warp/warp kernel,
// very long rows -> one block per row.
#include <vector>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>

#if defined(__HIP_PLATFORM_AMD__)
  #include <hip/hip_runtime.h>
  #define GPU_WARP_SIZE 64
  #define GPU_FULL_MASK 0xffffffffffffffffull
  #define GPU_SHFL_DOWN(v, d, w) __shfl_down((v), (d), (w))
  #define GPU_LDG(p) (*(p))
  #define gpuMalloc hipMalloc
  #define gpuFree hipFree
  #define gpuMemcpy hipMemcpy
  #define gpuMemcpyHostToDevice hipMemcpyHostToDevice
  #define gpuMemcpyDeviceToHost hipMemcpyDeviceToHost
  #define gpuDeviceSynchronize hipDeviceSynchronize
  #define gpuStream_t hipStream_t
#else
  #include <cuda_runtime.h>
  #define GPU_WARP_SIZE 32
  #define GPU_FULL_MASK 0xffffffffu
  #define GPU_SHFL_DOWN(v, d, w) __shfl_down_sync(GPU_FULL_MASK, (v), (d), (w))
  #define GPU_LDG(p) __ldg(p)
  #define gpuMalloc cudaMalloc
  #define gpuFree cudaFree
  #define gpuMemcpy cudaMemcpy
  #define gpuMemcpyHostToDevice cudaMemcpyHostToDevice
  #define gpuMemcpyDeviceToHost cudaMemcpyDeviceToHost
  #define gpuDeviceSynchronize cudaDeviceSynchronize
  #define gpuStream_t cudaStream_t
#endif

#define GPU_LAUNCH(kern, grid, block, smem, stream, ...) \
    kern<<<(grid), (block), (smem), (stream)>>>(__VA_ARGS__)

typedef int   idx_t;
typedef float val_t;

// ---------------------------------------------------------------- scalar ----
// one thread per row, reference/fallback path
__global__ void spmv_csr_scalar(idx_t nrows, const idx_t* __restrict__ rowptr,
                                const idx_t* __restrict__ colidx, const val_t* __restrict__ vals,
                                const val_t* __restrict__ x, val_t* __restrict__ y)
{
    idx_t row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= nrows) return;
    val_t sum = 0;
    for (idx_t k = rowptr[row]; k < rowptr[row + 1]; ++k)
        sum += GPU_LDG(vals + k) * GPU_LDG(x + colidx[k]);
    y[row] = sum;
}

// ---------------------------------------------------------------- vector ----
// LANES consecutive lanes share one row (LANES == GPU_WARP_SIZE -> one warp
// per row). Consecutive lanes read consecutive nonzeros of the row, so
// vals/colidx accesses of a group are coalesced.
template <int LANES>
__global__ void spmv_csr_vector(idx_t nlist, const idx_t* __restrict__ rowlist,
                                const idx_t* __restrict__ rowptr, const idx_t* __restrict__ colidx,
                                const val_t* __restrict__ vals, const val_t* __restrict__ x,
                                val_t* __restrict__ y)
{
    const int lane = threadIdx.x % LANES;
    const idx_t group = (blockIdx.x * blockDim.x + threadIdx.x) / LANES;
    const idx_t ngroups = (gridDim.x * blockDim.x) / LANES;

    // the loop bound is taken from the first group of the warp so that all
    // lanes of a warp stay converged for the full-mask shuffles below
    const idx_t firstOfWarp = group - (threadIdx.x % GPU_WARP_SIZE) / LANES;
    for (idx_t r = group; firstOfWarp + (r - group) < nlist; r += ngroups) {
        const bool valid = r < nlist;
        const idx_t row = valid ? rowlist[r] : 0;
        const idx_t beg = valid ? rowptr[row] : 0;
        const idx_t end = valid ? rowptr[row + 1] : 0;
        val_t sum = 0;
        for (idx_t k = beg + lane; k < end; k += LANES)
            sum += GPU_LDG(vals + k) * GPU_LDG(x + GPU_LDG(colidx + k));
#pragma unroll
        for (int off = LANES / 2; off > 0; off >>= 1)
            sum += GPU_SHFL_DOWN(sum, off, LANES);
        if (valid && lane == 0) y[row] = sum;
    }
}

// ------------------------------------------------------------- long rows ----
// one block per very long row. Host passes the long rows sorted by nnz,
// longest first, so the biggest blocks are scheduled in the first wave and
// the short tail fills the gaps.
__global__ void spmv_csr_block_long(idx_t nlong, const idx_t* __restrict__ longrows,
                                    const idx_t* __restrict__ rowptr, const idx_t* __restrict__ colidx,
                                    const val_t* __restrict__ vals, const val_t* __restrict__ x,
                                    val_t* __restrict__ y)
{
    extern __shared__ val_t warp_part[];          // blockDim.x / GPU_WARP_SIZE slots
    if (blockIdx.x >= nlong) return;
    const idx_t row = longrows[blockIdx.x];
    const idx_t beg = rowptr[row], end = rowptr[row + 1];

    val_t sum = 0;
    for (idx_t k = beg + threadIdx.x; k < end; k += blockDim.x)
        sum += GPU_LDG(vals + k) * GPU_LDG(x + GPU_LDG(colidx + k));

    for (int off = GPU_WARP_SIZE / 2; off > 0; off >>= 1)
        sum += GPU_SHFL_DOWN(sum, off, GPU_WARP_SIZE);
    const int lane = threadIdx.x % GPU_WARP_SIZE;
    const int wid = threadIdx.x / GPU_WARP_SIZE;
    if (lane == 0) warp_part[wid] = sum;
    __syncthreads();
    if (wid == 0) {
        const int nw = blockDim.x / GPU_WARP_SIZE;
        sum = (lane < nw) ? warp_part[lane] : val_t(0);
        for (int off = GPU_WARP_SIZE / 2; off > 0; off >>= 1)
            sum += GPU_SHFL_DOWN(sum, off, GPU_WARP_SIZE);
        if (lane == 0) y[row] = sum;
    }
}

// --------------------------------------------------------------- host -------
static void build_laplace_2d_with_dense_rows(int m, std::vector<idx_t>& rp,
                                             std::vector<idx_t>& ci, std::vector<val_t>& v)
{
    // 5-point Laplacian on an m x m grid plus a few dense "coupling" rows
    const int n = m * m;
    rp.assign(n + 1, 0);
    for (int r = 0; r < n; ++r) {
        int i = r / m, j = r % m;
        bool dense = (r % (n / 8 + 1)) == 0;
        if (dense) {
            for (int c = 0; c < n; c += 3) { ci.push_back(c); v.push_back(1.0f / n); }
        } else {
            if (i > 0)     { ci.push_back(r - m); v.push_back(-1.f); }
            if (j > 0)     { ci.push_back(r - 1); v.push_back(-1.f); }
            ci.push_back(r); v.push_back(4.f);
            if (j < m - 1) { ci.push_back(r + 1); v.push_back(-1.f); }
            if (i < m - 1) { ci.push_back(r + m); v.push_back(-1.f); }
        }
        rp[r + 1] = (idx_t)ci.size();
    }
}

int main()
{
    const int m = 512;
    std::vector<idx_t> rp, ci;
    std::vector<val_t> v;
    build_laplace_2d_with_dense_rows(m, rp, ci, v);
    const idx_t nrows = (idx_t)rp.size() - 1;
    const idx_t nnz = (idx_t)ci.size();

    const idx_t LONG_ROW = 4096;
    std::vector<idx_t> shortRows, longRows;
    for (idx_t r = 0; r < nrows; ++r)
        ((rp[r + 1] - rp[r]) >= LONG_ROW ? longRows : shortRows).push_back(r);
    std::sort(longRows.begin(), longRows.end(), [&](idx_t a, idx_t b) {
        return (rp[a + 1] - rp[a]) > (rp[b + 1] - rp[b]);   // longest first
    });
    const double meanNnz = double(nnz) / nrows;

    idx_t *d_rp, *d_ci, *d_short, *d_long;
    val_t *d_v, *d_x, *d_y, *d_yref;
    gpuMalloc(&d_rp, rp.size() * sizeof(idx_t));
    gpuMalloc(&d_ci, ci.size() * sizeof(idx_t));
    gpuMalloc(&d_v, v.size() * sizeof(val_t));
    gpuMalloc(&d_short, (shortRows.size() + 1) * sizeof(idx_t));
    gpuMalloc(&d_long, (longRows.size() + 1) * sizeof(idx_t));
    gpuMalloc(&d_x, nrows * sizeof(val_t));
    gpuMalloc(&d_y, nrows * sizeof(val_t));
    gpuMalloc(&d_yref, nrows * sizeof(val_t));
    std::vector<val_t> hx(nrows, 1.0f);
    gpuMemcpy(d_rp, rp.data(), rp.size() * sizeof(idx_t), gpuMemcpyHostToDevice);
    gpuMemcpy(d_ci, ci.data(), ci.size() * sizeof(idx_t), gpuMemcpyHostToDevice);
    gpuMemcpy(d_v, v.data(), v.size() * sizeof(val_t), gpuMemcpyHostToDevice);
    gpuMemcpy(d_short, shortRows.data(), shortRows.size() * sizeof(idx_t), gpuMemcpyHostToDevice);
    gpuMemcpy(d_long, longRows.data(), longRows.size() * sizeof(idx_t), gpuMemcpyHostToDevice);
    gpuMemcpy(d_x, hx.data(), nrows * sizeof(val_t), gpuMemcpyHostToDevice);

    const gpuStream_t stream = 0;
    const int threads = 256;
    const idx_t nshort = (idx_t)shortRows.size();
    if (meanNnz <= 8.0) {
        const int blocks = (int)((nshort * 4 + threads - 1) / threads);
        GPU_LAUNCH(spmv_csr_vector<4>, blocks, threads, 0, stream,
                   nshort, d_short, d_rp, d_ci, d_v, d_x, d_y);
    } else {
        const int blocks = (int)(((long long)nshort * GPU_WARP_SIZE + threads - 1) / threads);
        GPU_LAUNCH(spmv_csr_vector<GPU_WARP_SIZE>, blocks, threads, 0, stream,
                   nshort, d_short, d_rp, d_ci, d_v, d_x, d_y);
    }
    const idx_t nlong = (idx_t)longRows.size();
    if (nlong > 0) {
        const int lthreads = 512;
        GPU_LAUNCH(spmv_csr_block_long, nlong, lthreads, (lthreads / GPU_WARP_SIZE) * sizeof(val_t), stream,
                   nlong, d_long, d_rp, d_ci, d_v, d_x, d_y);
    }
    GPU_LAUNCH(spmv_csr_scalar, (nrows + threads - 1) / threads, threads, 0, stream,
               nrows, d_rp, d_ci, d_v, d_x, d_yref);
    gpuDeviceSynchronize();

    std::vector<val_t> hy(nrows), hyref(nrows);
    gpuMemcpy(hy.data(), d_y, nrows * sizeof(val_t), gpuMemcpyDeviceToHost);
    gpuMemcpy(hyref.data(), d_yref, nrows * sizeof(val_t), gpuMemcpyDeviceToHost);
    double maxErr = 0.0;
    for (idx_t r = 0; r < nrows; ++r) maxErr = std::max(maxErr, (double)std::abs(hy[r] - hyref[r]));
    printf("rows=%d nnz=%d long=%d  max|y-yref|=%.3e\n", nrows, nnz, nlong, maxErr);

    gpuFree(d_rp); gpuFree(d_ci); gpuFree(d_v); gpuFree(d_short); gpuFree(d_long);
    gpuFree(d_x); gpuFree(d_y); gpuFree(d_yref);
    return 0;
}

// k4_hpc_fd_wave3d.cu
//
// 3D constant-density acoustic wave equation, 2nd order in time, 2R-th order in space
// (R = 4 -> 8th order), double precision.  Fields are stored Fortran-style:
//
//     p(i,j,k) -> p[i + nx*(j + ny*k)]         i is the unit-stride index
//
// Leapfrog with two buffers: the new field overwrites p(t-dt) in place.
// vel2dt2 = (v*dt/h)^2 is precomputed per cell.
//
// Two update kernels:
//   fd_acoustic_step         2.5D: xy tile in shared memory, z-neighbours in a register queue
//   fd_acoustic_step_smem3d  all 2R+1 planes of the tile in (dynamic, >48 KiB) shared memory
//
// nvcc -O3 -std=c++17 -arch=sm_80 k4_hpc_fd_wave3d.cu -o fdwave

#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <utility>
#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>

namespace cg = cooperative_groups;

#define CUDA_CHECK(call)                                                          \
    do {                                                                          \
        cudaError_t err_ = (call);                                                \
        if (err_ != cudaSuccess) {                                                \
            fprintf(stderr, "CUDA error %s (%s:%d)\n", cudaGetErrorString(err_),  \
                    __FILE__, __LINE__);                                          \
            exit(EXIT_FAILURE);                                                   \
        }                                                                         \
    } while (0)

#define RAD     4
#define BX      32
#define BY      8
#define S3_BX   32
#define S3_BY   16
#define ENERGY_THREADS 256
#define ENERGY_BLOCKS  1024

#define IDX(i, j, k) ((size_t)(i) + (size_t)nx * ((size_t)(j) + (size_t)ny * (size_t)(k)))

__constant__ double c_fd[RAD + 1];

// 16-byte aligned so a source record is fetched in one transaction
struct __align__(16) PointSource {
    int i, j, k;
    float t_shift;
};

// ---------------------------------------------------------------------------------------
// 2.5D update.  threadIdx.x runs along i so every plane/halo row a warp loads is a
// contiguous (coalesced) segment.  Inactive edge threads load through min()-clamped
// indices so the loads stay unconditional; only the store is predicated.
// ---------------------------------------------------------------------------------------
template <int R>
__global__ void __launch_bounds__(BX * BY)
fd_acoustic_step(const double* __restrict__ p, double* __restrict__ pp,
                 const double* __restrict__ vel2dt2, int nx, int ny, int nz)
{
    __shared__ double s_p[BY + 2 * R][BX + 2 * R];

    const int tx = threadIdx.x, ty = threadIdx.y;
    const int i  = blockIdx.x * BX + tx + R;
    const int j  = blockIdx.y * BY + ty + R;
    const int ic = min(i, nx - 1);
    const int jc = min(j, ny - 1);
    const int sx = tx + R, sy = ty + R;
    const bool active = (i < nx - R) && (j < ny - R);

    // behind[m] = p(k-1-m), infront[m] = p(k+1+m)
    double behind[R], infront[R];
    double cur = p[IDX(ic, jc, R)];
#pragma unroll
    for (int m = 0; m < R; ++m) {
        behind[m]  = p[IDX(ic, jc, R - 1 - m)];
        infront[m] = p[IDX(ic, jc, R + 1 + m)];
    }

    for (int k = R; k < nz - R; ++k) {
        // issue the load of the plane entering the queue now, so its latency hides behind
        // the halo loads, the barrier and the stencil of this plane
        const double incoming = p[IDX(ic, jc, min(k + R + 1, nz - 1))];

        s_p[sy][sx] = cur;
        if (ty < R) {
            s_p[ty][sx]      = p[IDX(ic, j - R, k)];
            s_p[sy + BY][sx] = p[IDX(ic, min(j + BY, ny - 1), k)];
        }
        if (tx < R) {
            s_p[sy][tx]      = p[IDX(i - R, jc, k)];
            s_p[sy][sx + BX] = p[IDX(min(i + BX, nx - 1), jc, k)];
        }
        __syncthreads();

        if (active) {
            double lap = 3.0 * c_fd[0] * cur;
#pragma unroll
            for (int m = 1; m <= R; ++m)
                lap += c_fd[m] * (s_p[sy][sx - m] + s_p[sy][sx + m] +
                                  s_p[sy - m][sx] + s_p[sy + m][sx] +
                                  behind[m - 1]   + infront[m - 1]);
            const size_t c = IDX(i, j, k);
            pp[c] = 2.0 * cur - pp[c] + vel2dt2[c] * lap;
        }
        __syncthreads();

#pragma unroll
        for (int m = R - 1; m > 0; --m) behind[m] = behind[m - 1];
        behind[0] = cur;
        cur = infront[0];
#pragma unroll
        for (int m = 0; m < R - 1; ++m) infront[m] = infront[m + 1];
        infront[R - 1] = incoming;
    }
}

// ---------------------------------------------------------------------------------------
// same update, 2R+1 haloed planes kept in a circular buffer in shared memory.
// Each plane is read from global memory exactly once per block.
// ---------------------------------------------------------------------------------------
template <int R>
__global__ void __launch_bounds__(S3_BX * S3_BY)
fd_acoustic_step_smem3d(const double* __restrict__ p, double* __restrict__ pp,
                        const double* __restrict__ vel2dt2, int nx, int ny, int nz)
{
    constexpr int NP    = 2 * R + 1;
    constexpr int TX    = S3_BX + 2 * R;
    constexpr int TY    = S3_BY + 2 * R;
    constexpr int PLANE = TX * TY;
    extern __shared__ double s_planes[];          // NP * PLANE doubles

    const int tid = threadIdx.y * S3_BX + threadIdx.x;
    const int gi0 = blockIdx.x * S3_BX;
    const int gj0 = blockIdx.y * S3_BY;
    const int i = gi0 + threadIdx.x + R;
    const int j = gj0 + threadIdx.y + R;
    const bool active = (i < nx - R) && (j < ny - R);
    const int sc = (threadIdx.y + R) * TX + threadIdx.x + R;

    auto load_plane = [&](int slot, int k) {
        double* sp = s_planes + slot * PLANE;
        for (int t = tid; t < PLANE; t += S3_BX * S3_BY) {
            const int ty = t / TX;
            const int gi = min(gi0 + t - ty * TX, nx - 1);
            const int gj = min(gj0 + ty, ny - 1);
            sp[t] = p[IDX(gi, gj, k)];
        }
    };

    for (int k = 0; k < 2 * R; ++k) load_plane(k, k);

    for (int k = R; k < nz - R; ++k) {
        load_plane((k + R) % NP, k + R);
        __syncthreads();

        if (active) {
            const double* pc = s_planes + (k % NP) * PLANE;
            const double cur = pc[sc];
            double lap = 3.0 * c_fd[0] * cur;
#pragma unroll
            for (int m = 1; m <= R; ++m) {
                const double zm = s_planes[((k - m) % NP) * PLANE + sc];
                const double zp = s_planes[((k + m) % NP) * PLANE + sc];
                lap += c_fd[m] * (pc[sc - m] + pc[sc + m] + pc[sc - m * TX] + pc[sc + m * TX] + zm + zp);
            }
            const size_t c = IDX(i, j, k);
            pp[c] = 2.0 * cur - pp[c] + vel2dt2[c] * lap;
        }
        __syncthreads();          // slot (k-R)%NP is refilled next iteration
    }
}

// ---------------------------------------------------------------------------------------
// Ricker sources, added to the freshly updated field
// ---------------------------------------------------------------------------------------
__global__ void inject_ricker_sources(double* __restrict__ pnew, const PointSource* __restrict__ src,
                                      const double* __restrict__ vel2dt2, int nsrc, int nx, int ny,
                                      double t, double f0, double t0, double amp)
{
    const int s = blockIdx.x * blockDim.x + threadIdx.x;
    if (s >= nsrc) return;

    const PointSource ps = src[s];
    const double a  = M_PI * f0 * (t - t0 - ps.t_shift);
    const double a2 = a * a;
    const double w  = amp * (1.0 - 2.0 * a2) * exp(-a2);
    const size_t c  = IDX(ps.i, ps.j, ps.k);
    // sources of a dense array may share a cell
    atomicAdd(&pnew[c], vel2dt2[c] * w);
}

// ---------------------------------------------------------------------------------------
// sum p^2 and max|p| for blow-up monitoring
// ---------------------------------------------------------------------------------------
__global__ void wavefield_energy(const double* __restrict__ p, size_t n, double* __restrict__ stats)
{
    __shared__ double s_sum[ENERGY_THREADS / 32];
    __shared__ double s_max[ENERGY_THREADS / 32];

    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);

    double sum = 0.0, amax = 0.0;
    for (size_t c = blockIdx.x * (size_t)blockDim.x + threadIdx.x; c < n;
         c += (size_t)gridDim.x * blockDim.x) {
        const double v = p[c];
        sum  = fma(v, v, sum);
        amax = fmax(amax, fabs(v));
    }

    sum  = cg::reduce(warp, sum, cg::plus<double>());
    amax = cg::reduce(warp, amax, cg::greater<double>());
    if (warp.thread_rank() == 0) {
        s_sum[warp.meta_group_rank()] = sum;
        s_max[warp.meta_group_rank()] = amax;
    }
    block.sync();

    if (warp.meta_group_rank() == 0) {
        const bool has = warp.thread_rank() < warp.meta_group_size();
        sum  = has ? s_sum[warp.thread_rank()] : 0.0;
        amax = has ? s_max[warp.thread_rank()] : 0.0;
        sum  = cg::reduce(warp, sum, cg::plus<double>());
        amax = cg::reduce(warp, amax, cg::greater<double>());
        if (warp.thread_rank() == 0) {
            // warp partials are combined in a fixed order within the block; the cross-block
            // sum is a double atomicAdd, so the last bits vary run to run (monitoring only)
            atomicAdd(&stats[0], sum);
            // non-negative doubles order like their bit patterns
            atomicMax(reinterpret_cast<unsigned long long*>(&stats[1]),
                      (unsigned long long)__double_as_longlong(amax));
        }
    }
}

// ---------------------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------------------
int main(int argc, char** argv)
{
    const int nx = (argc > 1) ? atoi(argv[1]) : 320;
    const int ny = (argc > 2) ? atoi(argv[2]) : 320;
    const int nz = (argc > 3) ? atoi(argv[3]) : 320;
    const int nt = (argc > 4) ? atoi(argv[4]) : 1500;
    const int variant = (argc > 5) ? atoi(argv[5]) : 0;
    const int snapEvery = 50;
    const size_t ncell = (size_t)nx * ny * nz;

    const double h = 10.0, vmax = 4500.0, f0 = 12.0;
    const double dt = 0.45 * h / (vmax * sqrt(3.0));
    const double t0 = 1.2 / f0;

    const double fd8[RAD + 1] = {-205.0 / 72.0, 8.0 / 5.0, -1.0 / 5.0, 8.0 / 315.0, -1.0 / 560.0};
    CUDA_CHECK(cudaMemcpyToSymbol(c_fd, fd8, sizeof(fd8)));

    // layered model
    std::vector<double> h_v2(ncell);
    for (int k = 0; k < nz; ++k) {
        const double v = (k < nz / 3) ? 1500.0 : (k < 2 * nz / 3) ? 2800.0 : vmax;
        const double r = v * dt / h;
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i) h_v2[IDX(i, j, k)] = r * r;
    }

    std::vector<PointSource> h_src;
    for (int s = 0; s < 16; ++s)
        h_src.push_back({nx / 2 - 8 + s, ny / 2, 12, (float)(s * 2.0e-3)});
    const int nsrc = (int)h_src.size();

    double *d_pA, *d_pB, *d_v2, *d_stats;
    PointSource* d_src;
    CUDA_CHECK(cudaMalloc(&d_pA, ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_pB, ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_v2, ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_stats, 2 * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_src, nsrc * sizeof(PointSource)));
    CUDA_CHECK(cudaMemset(d_pA, 0, ncell * sizeof(double)));
    CUDA_CHECK(cudaMemset(d_pB, 0, ncell * sizeof(double)));
    CUDA_CHECK(cudaMemcpy(d_v2, h_v2.data(), ncell * sizeof(double), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(d_src, h_src.data(), nsrc * sizeof(PointSource), cudaMemcpyHostToDevice));

    // pinned: two xz-slice slots (double-buffered against the file writer) + stats history
    const int nsnapMax = nt / snapEvery + 1;
    double* h_slice[2];
    double* h_stats;
    CUDA_CHECK(cudaMallocHost(&h_slice[0], (size_t)nx * nz * sizeof(double)));
    CUDA_CHECK(cudaMallocHost(&h_slice[1], (size_t)nx * nz * sizeof(double)));
    CUDA_CHECK(cudaMallocHost(&h_stats, 2 * nsnapMax * sizeof(double)));

    cudaStream_t sComp, sCopy;
    CUDA_CHECK(cudaStreamCreateWithFlags(&sComp, cudaStreamNonBlocking));
    CUDA_CHECK(cudaStreamCreateWithFlags(&sCopy, cudaStreamNonBlocking));
    cudaEvent_t evStep, evCopied[2], tStart, tStop;
    CUDA_CHECK(cudaEventCreateWithFlags(&evStep, cudaEventDisableTiming));
    CUDA_CHECK(cudaEventCreateWithFlags(&evCopied[0], cudaEventDisableTiming));
    CUDA_CHECK(cudaEventCreateWithFlags(&evCopied[1], cudaEventDisableTiming));
    CUDA_CHECK(cudaEventCreate(&tStart));
    CUDA_CHECK(cudaEventCreate(&tStop));

    const dim3 blk(BX, BY), grd((nx - 2 * RAD + BX - 1) / BX, (ny - 2 * RAD + BY - 1) / BY);
    const dim3 blk3(S3_BX, S3_BY), grd3((nx - 2 * RAD + S3_BX - 1) / S3_BX, (ny - 2 * RAD + S3_BY - 1) / S3_BY);
    const size_t smem3 = (size_t)(2 * RAD + 1) * (S3_BX + 2 * RAD) * (S3_BY + 2 * RAD) * sizeof(double);
    CUDA_CHECK(cudaFuncSetAttribute(fd_acoustic_step_smem3d<RAD>,
                                    cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem3));

    int nbQ = 0, nb3 = 0;
    CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&nbQ, fd_acoustic_step<RAD>, BX * BY, 0));
    CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&nb3, fd_acoustic_step_smem3d<RAD>,
                                                             S3_BX * S3_BY, smem3));
    printf("resident blocks/SM: register-queue %d, smem3d %d (%zu B smem)\n", nbQ, nb3, smem3);

    double* d_prev = d_pA;
    double* d_cur  = d_pB;
    int nsnap = 0, guardIt = -1, guardSlot = 0;

    CUDA_CHECK(cudaEventRecord(tStart, sComp));
    for (int it = 0; it < nt; ++it) {
        // the buffer about to be overwritten may still be on its way to the host
        if (it == guardIt) CUDA_CHECK(cudaStreamWaitEvent(sComp, evCopied[guardSlot], 0));

        if (variant == 0)
            fd_acoustic_step<RAD><<<grd, blk, 0, sComp>>>(d_cur, d_prev, d_v2, nx, ny, nz);
        else
            fd_acoustic_step_smem3d<RAD><<<grd3, blk3, smem3, sComp>>>(d_cur, d_prev, d_v2, nx, ny, nz);
        inject_ricker_sources<<<(nsrc + 63) / 64, 64, 0, sComp>>>(d_prev, d_src, d_v2, nsrc, nx, ny,
                                                                   it * dt, f0, t0, 1.0);
        std::swap(d_prev, d_cur);

        if (it % snapEvery == 0) {
            const int slot = nsnap & 1;
            CUDA_CHECK(cudaEventRecord(evStep, sComp));
            CUDA_CHECK(cudaStreamWaitEvent(sCopy, evStep, 0));
            // plane j = ny/2: nz rows of nx doubles, row pitch nx*ny
            CUDA_CHECK(cudaMemcpy2DAsync(h_slice[slot], nx * sizeof(double),
                                         d_cur + (size_t)(ny / 2) * nx, (size_t)nx * ny * sizeof(double),
                                         nx * sizeof(double), nz, cudaMemcpyDeviceToHost, sCopy));
            CUDA_CHECK(cudaEventRecord(evCopied[slot], sCopy));
            guardIt = it + 2;
            guardSlot = slot;

            CUDA_CHECK(cudaMemsetAsync(d_stats, 0, 2 * sizeof(double), sComp));
            wavefield_energy<<<ENERGY_BLOCKS, ENERGY_THREADS, 0, sComp>>>(d_cur, ncell, d_stats);
            CUDA_CHECK(cudaMemcpyAsync(h_stats + 2 * nsnap, d_stats, 2 * sizeof(double),
                                       cudaMemcpyDeviceToHost, sComp));

            // write the previous slice while the GPU keeps stepping
            if (nsnap > 0) {
                CUDA_CHECK(cudaEventSynchronize(evCopied[slot ^ 1]));
                char fn[64];
                snprintf(fn, sizeof(fn), "slice_%05d.bin", (it - snapEvery));
                if (FILE* fp = fopen(fn, "wb")) {
                    fwrite(h_slice[slot ^ 1], sizeof(double), (size_t)nx * nz, fp);
                    fclose(fp);
                }
            }
            ++nsnap;
        }
    }
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaEventRecord(tStop, sComp));
    CUDA_CHECK(cudaStreamSynchronize(sCopy));
    CUDA_CHECK(cudaEventSynchronize(tStop));

    float ms;
    CUDA_CHECK(cudaEventElapsedTime(&ms, tStart, tStop));
    printf("%s: %d steps on %dx%dx%d, %.2f s, %.1f Mcell/s\n",
           variant ? "smem3d" : "register-queue", nt, nx, ny, nz, ms * 1e-3,
           (double)ncell * nt / (ms * 1e3));
    for (int s = 0; s < nsnap; ++s)
        printf("step %5d  sum p^2 = %.6e  max|p| = %.6e\n", s * snapEvery, h_stats[2 * s], h_stats[2 * s + 1]);

    CUDA_CHECK(cudaEventDestroy(evStep));
    CUDA_CHECK(cudaEventDestroy(evCopied[0]));
    CUDA_CHECK(cudaEventDestroy(evCopied[1]));
    CUDA_CHECK(cudaEventDestroy(tStart));
    CUDA_CHECK(cudaEventDestroy(tStop));
    CUDA_CHECK(cudaStreamDestroy(sComp));
    CUDA_CHECK(cudaStreamDestroy(sCopy));
    CUDA_CHECK(cudaFreeHost(h_slice[0]));
    CUDA_CHECK(cudaFreeHost(h_slice[1]));
    CUDA_CHECK(cudaFreeHost(h_stats));
    cudaFree(d_pA); cudaFree(d_pB); cudaFree(d_v2); cudaFree(d_stats); cudaFree(d_src);
    return 0;
}

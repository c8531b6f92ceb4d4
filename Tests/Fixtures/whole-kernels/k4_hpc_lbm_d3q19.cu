// k4_hpc_lbm_d3q19.cu
//
// D3Q19 lattice Boltzmann, BGK, body-force driven channel with a spherical obstacle.
// Double precision, structure-of-arrays distribution layout in Fortran order:
//
//     f(i,j,k,q)  ->  i + NX*(j + NY*(k + NZ*q))        (i fastest, q slowest)
//
// Pull scheme with half-way bounce-back on the solid mask, periodic in x and y,
// no-slip walls at k = 0 and k = NZ-1 (marked solid).  One CUDA graph holds one
// output interval (STEPS_PER_GRAPH steps + diagnostics) and is replayed.
//
// nvcc -O3 -std=c++17 -arch=sm_80 k4_hpc_lbm_d3q19.cu -o lbm3d

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cmath>
#include <vector>
#include <utility>
#include <cuda_runtime.h>

#define CUDA_CHECK(call)                                                          \
    do {                                                                          \
        cudaError_t err_ = (call);                                                \
        if (err_ != cudaSuccess) {                                                \
            fprintf(stderr, "%s:%d  %s\n", __FILE__, __LINE__,                    \
                    cudaGetErrorString(err_));                                    \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

#define Q 19
#define LBM_BX 128
#define MASS_THREADS 256
#define MASS_BLOCKS 512          // fixed: the partial-sum layout must not depend on the GPU
#define STEPS_PER_GRAPH 200      // even -> f0/f1 roles are the same at every replay

struct Lattice {
    int nx, ny, nz;
    size_t ncell;
    double omega;                 // 1/tau
    double fx;                    // body force, x
};

__constant__ Lattice c_lat;
__constant__ int     c_cx[Q], c_cy[Q], c_cz[Q], c_opp[Q];
__constant__ double  c_w[Q];

#define IDX3(i, j, k)     ((size_t)(i) + (size_t)c_lat.nx * ((size_t)(j) + (size_t)c_lat.ny * (size_t)(k)))
#define FIDX(i, j, k, q)  (IDX3(i, j, k) + (size_t)(q) * c_lat.ncell)

static const int    h_cx[Q]  = {0, 1,-1, 0, 0, 0, 0, 1,-1, 1,-1, 1,-1, 1,-1, 0, 0, 0, 0};
static const int    h_cy[Q]  = {0, 0, 0, 1,-1, 0, 0, 1,-1,-1, 1, 0, 0, 0, 0, 1,-1, 1,-1};
static const int    h_cz[Q]  = {0, 0, 0, 0, 0, 1,-1, 0, 0, 0, 0, 1,-1,-1, 1, 1,-1,-1, 1};
static const int    h_opp[Q] = {0, 2, 1, 4, 3, 6, 5, 8, 7,10, 9,12,11,14,13,16,15,18,17};

// ---------------------------------------------------------------------------------------
// stream (pull) + bounce-back + BGK collide.  threadIdx.x runs along i, the unit-stride
// index of every population array, so each of the 19 loads/stores of a warp is one
// contiguous 256-byte segment (only shifted by +-1 cell for the pulled neighbours).
// 19 doubles live in registers; capping at 128 regs keeps 4 blocks (16 warps) per SM.
// ---------------------------------------------------------------------------------------
template <bool STORE_MACRO>
__global__ void __launch_bounds__(LBM_BX, 4)
lbm_stream_collide_bgk(const double* __restrict__ fin, double* __restrict__ fout,
                       const uint8_t* __restrict__ solid,
                       double* __restrict__ rho_out, double* __restrict__ ux_out,
                       double* __restrict__ uy_out, double* __restrict__ uz_out)
{
    const int i = blockIdx.x * LBM_BX + threadIdx.x;
    const int j = blockIdx.y;
    const int k = blockIdx.z;
    if (i >= c_lat.nx) return;

    const size_t c = IDX3(i, j, k);
    if (solid[c]) return;

    double f[Q];
#pragma unroll
    for (int q = 0; q < Q; ++q) {
        int is = i - c_cx[q];
        int js = j - c_cy[q];
        const int ks = k - c_cz[q];                 // walls are solid: never leaves [0,nz)
        is += (is < 0) ? c_lat.nx : 0;
        is -= (is >= c_lat.nx) ? c_lat.nx : 0;
        js += (js < 0) ? c_lat.ny : 0;
        js -= (js >= c_lat.ny) ? c_lat.ny : 0;

        const size_t src = IDX3(is, js, ks);
        // half-way bounce-back: population that would come from a solid node is the
        // post-collision opposite population of this node
        f[q] = solid[src] ? fin[c + (size_t)c_opp[q] * c_lat.ncell]
                          : fin[src + (size_t)q * c_lat.ncell];
    }

    double rho = 0.0, jx = 0.0, jy = 0.0, jz = 0.0;
#pragma unroll
    for (int q = 0; q < Q; ++q) {
        rho += f[q];
        jx  += c_cx[q] * f[q];
        jy  += c_cy[q] * f[q];
        jz  += c_cz[q] * f[q];
    }
    const double irho = 1.0 / rho;
    const double tau  = 1.0 / c_lat.omega;
    // velocity-shift forcing (Shan-Chen)
    const double ux = (jx + tau * c_lat.fx) * irho;
    const double uy = jy * irho;
    const double uz = jz * irho;
    const double usq = 1.5 * (ux * ux + uy * uy + uz * uz);
    const double om  = c_lat.omega;

#pragma unroll
    for (int q = 0; q < Q; ++q) {
        const double cu  = 3.0 * (c_cx[q] * ux + c_cy[q] * uy + c_cz[q] * uz);
        const double feq = c_w[q] * rho * (1.0 + cu + 0.5 * cu * cu - usq);
        fout[c + (size_t)q * c_lat.ncell] = f[q] - om * (f[q] - feq);
    }

    if constexpr (STORE_MACRO) {
        rho_out[c] = rho;
        ux_out[c]  = jx * irho + 0.5 * c_lat.fx * irho;   // physical velocity, half-force
        uy_out[c]  = uy;
        uz_out[c]  = uz;
    }
}

// ---------------------------------------------------------------------------------------
// momentum-exchange drag on the obstacle, reads the post-collision populations
// ---------------------------------------------------------------------------------------
__global__ void lbm_obstacle_force(const double* __restrict__ f, const uint8_t* __restrict__ solid,
                                   double* __restrict__ force)
{
    const int nx = c_lat.nx, ny = c_lat.ny;
    // partial force kept private in registers across all cells this thread visits;
    // only threads that touched a boundary link issue atomics
    double Fx = 0.0, Fy = 0.0, Fz = 0.0;
    bool touched = false;

    for (size_t c = blockIdx.x * (size_t)blockDim.x + threadIdx.x; c < c_lat.ncell;
         c += (size_t)gridDim.x * blockDim.x) {
        if (solid[c]) continue;
        const int i = (int)(c % nx);
        const int j = (int)((c / nx) % ny);
        const int k = (int)(c / ((size_t)nx * ny));
        if (k == 0 || k == c_lat.nz - 1) continue;

        for (int q = 1; q < Q; ++q) {
            const int in = (i + c_cx[q] + nx) % nx;
            const int jn = (j + c_cy[q] + ny) % ny;
            const int kn = k + c_cz[q];
            if (kn == 0 || kn == c_lat.nz - 1) continue;     // channel walls are not the body
            if (!solid[IDX3(in, jn, kn)]) continue;
            const double fq = 2.0 * f[c + (size_t)q * c_lat.ncell];
            Fx += c_cx[q] * fq;
            Fy += c_cy[q] * fq;
            Fz += c_cz[q] * fq;
            touched = true;
        }
    }
    if (touched) {
        atomicAdd(&force[0], Fx);
        atomicAdd(&force[1], Fy);
        atomicAdd(&force[2], Fz);
    }
}

// ---------------------------------------------------------------------------------------
// total mass, two stages, no atomics: the mass history must be bitwise reproducible from
// run to run so that drift at the 1e-13 level can be attributed to the scheme.
// ---------------------------------------------------------------------------------------
__global__ void lbm_mass_partial(const double* __restrict__ rho, double* __restrict__ partial)
{
    __shared__ double s_sum[MASS_THREADS];

    double acc = 0.0;
    for (size_t c = blockIdx.x * (size_t)MASS_THREADS + threadIdx.x; c < c_lat.ncell;
         c += (size_t)gridDim.x * MASS_THREADS)
        acc += rho[c];
    s_sum[threadIdx.x] = acc;
    __syncthreads();

    for (int s = MASS_THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) s_sum[threadIdx.x] += s_sum[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = s_sum[0];
}

__global__ void lbm_mass_final(const double* __restrict__ partial, double* __restrict__ mass)
{
    __shared__ double s_sum[MASS_THREADS];

    double acc = 0.0;
    for (int b = threadIdx.x; b < MASS_BLOCKS; b += MASS_THREADS)   // fixed order
        acc += partial[b];
    s_sum[threadIdx.x] = acc;
    __syncthreads();

    for (int s = MASS_THREADS / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) s_sum[threadIdx.x] += s_sum[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) *mass = s_sum[0];
}

// ---------------------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------------------
int main(int argc, char** argv)
{
    Lattice lat;
    lat.nx = (argc > 1) ? atoi(argv[1]) : 256;
    lat.ny = (argc > 2) ? atoi(argv[2]) : 128;
    lat.nz = (argc > 3) ? atoi(argv[3]) : 128;
    const int nIntervals = (argc > 4) ? atoi(argv[4]) : 20;
    lat.ncell = (size_t)lat.nx * lat.ny * lat.nz;
    const double tau = 0.56;
    lat.omega = 1.0 / tau;
    lat.fx = 2.0e-6;

    const double h_w[Q] = {1.0 / 3,
                           1.0 / 18, 1.0 / 18, 1.0 / 18, 1.0 / 18, 1.0 / 18, 1.0 / 18,
                           1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36,
                           1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36, 1.0 / 36};

    CUDA_CHECK(cudaMemcpyToSymbol(c_lat, &lat, sizeof(Lattice)));
    CUDA_CHECK(cudaMemcpyToSymbol(c_cx, h_cx, sizeof(h_cx)));
    CUDA_CHECK(cudaMemcpyToSymbol(c_cy, h_cy, sizeof(h_cy)));
    CUDA_CHECK(cudaMemcpyToSymbol(c_cz, h_cz, sizeof(h_cz)));
    CUDA_CHECK(cudaMemcpyToSymbol(c_opp, h_opp, sizeof(h_opp)));
    CUDA_CHECK(cudaMemcpyToSymbol(c_w, h_w, sizeof(h_w)));

    // geometry: walls in z, sphere of radius nz/8 at (nx/4, ny/2, nz/2)
    std::vector<uint8_t> h_solid(lat.ncell, 0);
    const double r = lat.nz / 8.0;
    for (int k = 0; k < lat.nz; ++k)
        for (int j = 0; j < lat.ny; ++j)
            for (int i = 0; i < lat.nx; ++i) {
                const double dx = i - lat.nx / 4.0, dy = j - lat.ny / 2.0, dz = k - lat.nz / 2.0;
                const bool wall = (k == 0 || k == lat.nz - 1);
                h_solid[i + (size_t)lat.nx * (j + (size_t)lat.ny * k)] =
                    (wall || dx * dx + dy * dy + dz * dz <= r * r) ? 1 : 0;
            }

    // rest state: f = w_q
    std::vector<double> h_f(lat.ncell * Q);
    for (int q = 0; q < Q; ++q)
        for (size_t c = 0; c < lat.ncell; ++c)
            h_f[c + q * lat.ncell] = h_w[q];

    double *d_f0, *d_f1, *d_rho, *d_ux, *d_uy, *d_uz, *d_partial, *d_mass, *d_force;
    uint8_t* d_solid;
    const size_t fbytes = lat.ncell * Q * sizeof(double);
    CUDA_CHECK(cudaMalloc(&d_f0, fbytes));
    CUDA_CHECK(cudaMalloc(&d_f1, fbytes));
    CUDA_CHECK(cudaMalloc(&d_rho, lat.ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_ux, lat.ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_uy, lat.ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_uz, lat.ncell * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_partial, MASS_BLOCKS * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_mass, sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_force, 3 * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_solid, lat.ncell));
    CUDA_CHECK(cudaMemcpy(d_f0, h_f.data(), fbytes, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(d_f1, h_f.data(), fbytes, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(d_solid, h_solid.data(), lat.ncell, cudaMemcpyHostToDevice));

    cudaStream_t stream, ioStream;               // ioStream: diagnostics download
    CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    CUDA_CHECK(cudaStreamCreateWithFlags(&ioStream, cudaStreamNonBlocking));

    const dim3 block(LBM_BX, 1, 1);
    const dim3 grid((lat.nx + LBM_BX - 1) / LBM_BX, lat.ny, lat.nz);
    const int forceGrid = (int)((lat.ncell + 4 * 256 - 1) / (4 * 256));

    // ---- capture one output interval ------------------------------------------------
    cudaGraph_t graph;
    cudaGraphExec_t graphExec;
    CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal));
    {
        double* fa = d_f0;
        double* fb = d_f1;
        for (int s = 0; s < STEPS_PER_GRAPH - 1; ++s) {
            lbm_stream_collide_bgk<false><<<grid, block, 0, stream>>>(fa, fb, d_solid,
                                                                      nullptr, nullptr, nullptr, nullptr);
            std::swap(fa, fb);
        }
        lbm_stream_collide_bgk<true><<<grid, block, 0, stream>>>(fa, fb, d_solid,
                                                                 d_rho, d_ux, d_uy, d_uz);
        CUDA_CHECK(cudaMemsetAsync(d_force, 0, 3 * sizeof(double), stream));
        lbm_obstacle_force<<<forceGrid, 256, 0, stream>>>(fb, d_solid, d_force);
        lbm_mass_partial<<<MASS_BLOCKS, MASS_THREADS, 0, stream>>>(d_rho, d_partial);
        lbm_mass_final<<<1, MASS_THREADS, 0, stream>>>(d_partial, d_mass);
    }
    CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
    CUDA_CHECK(cudaGraphInstantiate(&graphExec, graph, 0));

    cudaEvent_t t0, t1;
    CUDA_CHECK(cudaEventCreate(&t0));
    CUDA_CHECK(cudaEventCreate(&t1));

    std::vector<double> hostUx(lat.ncell);
    double mass0 = 0.0;
    float msTotal = 0.f;

    printf("# interval   step      mass-drift       Fx             Fy             Fz\n");
    for (int it = 0; it < nIntervals; ++it) {
        CUDA_CHECK(cudaEventRecord(t0, stream));
        CUDA_CHECK(cudaGraphLaunch(graphExec, stream));
        CUDA_CHECK(cudaEventRecord(t1, stream));
        CUDA_CHECK(cudaStreamSynchronize(stream));

        float ms;
        CUDA_CHECK(cudaEventElapsedTime(&ms, t0, t1));
        msTotal += ms;

        double mass, F[3];
        CUDA_CHECK(cudaMemcpy(&mass, d_mass, sizeof(double), cudaMemcpyDeviceToHost));
        CUDA_CHECK(cudaMemcpy(F, d_force, 3 * sizeof(double), cudaMemcpyDeviceToHost));
        if (it == 0) mass0 = mass;
        printf("%8d %8d  %14.6e %14.6e %14.6e %14.6e\n", it, (it + 1) * STEPS_PER_GRAPH,
               (mass - mass0) / mass0, F[0], F[1], F[2]);

        if (it == nIntervals - 1) {
            CUDA_CHECK(cudaMemcpy(hostUx.data(), d_ux, lat.ncell * sizeof(double),
                                  cudaMemcpyDeviceToHost));
            // centre-line velocity profile downstream of the sphere
            const int i = 3 * lat.nx / 4, j = lat.ny / 2;
            for (int k = 0; k < lat.nz; k += lat.nz / 16)
                printf("# ux(%d,%d,%d) = %.6e\n", i, j, k,
                       hostUx[i + (size_t)lat.nx * (j + (size_t)lat.ny * k)]);
        }
    }

    const double mlups = (double)lat.ncell * STEPS_PER_GRAPH * nIntervals / (msTotal * 1e3);
    printf("# %.1f MLUPS (%d steps, %.2f s)\n", mlups, STEPS_PER_GRAPH * nIntervals, msTotal * 1e-3);

    CUDA_CHECK(cudaGraphExecDestroy(graphExec));
    CUDA_CHECK(cudaGraphDestroy(graph));
    CUDA_CHECK(cudaEventDestroy(t0));
    CUDA_CHECK(cudaEventDestroy(t1));
    CUDA_CHECK(cudaStreamDestroy(ioStream));
    CUDA_CHECK(cudaStreamDestroy(stream));
    cudaFree(d_f0); cudaFree(d_f1); cudaFree(d_rho); cudaFree(d_ux); cudaFree(d_uy);
    cudaFree(d_uz); cudaFree(d_partial); cudaFree(d_mass); cudaFree(d_force); cudaFree(d_solid);
    return 0;
}

// k4_hpc_fft_radix4.cu
//
// Batched 1D complex FFT in double precision for the spectral front-end of the
// plasma-probe analysis chain.
//
//   * N <= 2048 : the whole transform lives in shared memory, one block per signal,
//                 radix-2 DIT after a bit-reversed load.
//   * N  > 2048 : Stockham autosort, radix-4 passes (+ one radix-2 pass when log2 N is odd),
//                 ping-pong between two device buffers.
//
// Twiddles come from a two-level table in __constant__ memory:
//     W^e = coarse[e >> 10] * fine[e & 1023]      (2 x 16 KiB instead of 16 MiB for N = 2^20)
//
// The host pipelines the batch in chunks over several streams (pinned staging buffers,
// H2D / compute / D2H overlap).
//
// nvcc -O3 -std=c++17 -arch=sm_80 k4_hpc_fft_radix4.cu -o fftpsd

#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <utility>
#include <algorithm>
#include <cuda_runtime.h>
#include <cuComplex.h>

#define CUDA_CHECK(call)                                                          \
    do {                                                                          \
        cudaError_t err_ = (call);                                                \
        if (err_ != cudaSuccess) {                                                \
            fprintf(stderr, "CUDA error '%s' at %s:%d\n",                         \
                    cudaGetErrorString(err_), __FILE__, __LINE__);                \
            exit(EXIT_FAILURE);                                                   \
        }                                                                         \
    } while (0)

typedef cuDoubleComplex cplx;

#define TW_LOG2      20
#define TW_NMAX      (1 << TW_LOG2)
#define TW_SPLIT     10
#define TW_FINE      (1 << TW_SPLIT)
#define TW_COARSE    (TW_NMAX >> TW_SPLIT)

#define SMEM_FFT_MAX 2048        // largest N handled by fft_block_shared (n/2 threads per block)
#define STAGE_THREADS 256

__constant__ cplx c_tw_fine[TW_FINE];       // exp(-2 pi i j / NMAX),        j < 1024
__constant__ cplx c_tw_coarse[TW_COARSE];   // exp(-2 pi i 1024 m / NMAX),   m < 1024

// e : exponent of W_N,  shift = log2(NMAX / N)
static __device__ __forceinline__ cplx twiddle(int e, int shift)
{
    const int idx = (e << shift) & (TW_NMAX - 1);
    return cuCmul(c_tw_coarse[idx >> TW_SPLIT], c_tw_fine[idx & (TW_FINE - 1)]);
}

// ---------------------------------------------------------------------------------------
// real samples -> windowed complex signal (Hann), whole batch flattened
// ---------------------------------------------------------------------------------------
__global__ void window_and_convert(const float* __restrict__ sig, cplx* __restrict__ out,
                                   int n, long long total)
{
    const double inv = 1.0 / (double)n;
    for (long long g = blockIdx.x * (long long)blockDim.x + threadIdx.x; g < total;
         g += (long long)gridDim.x * blockDim.x) {
        const int t = (int)(g % n);
        const double w = 0.5 - 0.5 * cospi(2.0 * t * inv);
        out[g] = make_cuDoubleComplex(w * (double)sig[g], 0.0);
    }
}

// ---------------------------------------------------------------------------------------
// one Stockham pass of radix R over all signals of the chunk (blockIdx.y = signal)
//   ns : size of the sub-transforms already done (1, R, R^2, ...)
// ---------------------------------------------------------------------------------------
template <int R>
__global__ void fft_stockham_stage(const cplx* __restrict__ src, cplx* __restrict__ dst,
                                   int n, int ns, int twShift)
{
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    const int stride = n / R;
    if (j >= stride) return;

    const size_t off = (size_t)blockIdx.y * n;
    src += off;
    dst += off;

    const int k = j & (ns - 1);
    const int eStep = k * (n / (R * ns));     // W_{R ns}^{k} in units of W_n

    cplx v[R];
#pragma unroll
    for (int r = 0; r < R; ++r) {
        v[r] = src[j + r * stride];
        if (r > 0) v[r] = cuCmul(v[r], twiddle(r * eStep, twShift));
    }

    if constexpr (R == 4) {
        const cplx a0 = cuCadd(v[0], v[2]);
        const cplx a1 = cuCsub(v[0], v[2]);
        const cplx a2 = cuCadd(v[1], v[3]);
        const cplx d  = cuCsub(v[1], v[3]);
        const cplx a3 = make_cuDoubleComplex(d.y, -d.x);    // -i (x1 - x3)
        v[0] = cuCadd(a0, a2);
        v[1] = cuCadd(a1, a3);
        v[2] = cuCsub(a0, a2);
        v[3] = cuCsub(a1, a3);
    } else {
        const cplx t = v[1];
        v[1] = cuCsub(v[0], t);
        v[0] = cuCadd(v[0], t);
    }

    const int idxD = (j / ns) * ns * R + k;
#pragma unroll
    for (int r = 0; r < R; ++r)
        dst[idxD + r * ns] = v[r];
}

// ---------------------------------------------------------------------------------------
// short transforms: one block per signal, blockDim.x == n/2, n*16 B of dynamic smem
// ---------------------------------------------------------------------------------------
__global__ void fft_block_shared(const cplx* __restrict__ in, cplx* __restrict__ out,
                                 int log2n, int twShift)
{
    extern __shared__ cplx s_x[];

    const int n    = 1 << log2n;
    const int t    = threadIdx.x;
    const int half = n >> 1;
    const cplx* x  = in + (size_t)blockIdx.x * n;

    s_x[__brev(t)        >> (32 - log2n)] = x[t];
    s_x[__brev(t + half) >> (32 - log2n)] = x[t + half];
    __syncthreads();

    // log2n is a runtime value; keep the pass loop rolled, the body is barrier-bound anyway
#pragma unroll 1
    for (int s = 1; s <= log2n; ++s) {
        const int h   = 1 << (s - 1);
        const int pos = t & (h - 1);
        const int i0  = ((t >> (s - 1)) << s) + pos;
        const int i1  = i0 + h;

        const cplx w = twiddle(pos << (log2n - s), twShift);   // W_{2h}^{pos}
        const cplx a = s_x[i0];
        const cplx b = cuCmul(s_x[i1], w);
        s_x[i0] = cuCadd(a, b);
        s_x[i1] = cuCsub(a, b);
        __syncthreads();
    }

    cplx* y = out + (size_t)blockIdx.x * n;
    y[t]        = s_x[t];
    y[t + half] = s_x[t + half];
}

// ---------------------------------------------------------------------------------------
// one-sided PSD and Parseval energy, one block per signal
// ---------------------------------------------------------------------------------------
__global__ void spectrum_power_reduce(const cplx* __restrict__ X, double* __restrict__ psd,
                                      double* __restrict__ energy, int n, double scale)
{
    __shared__ double s_warp[32];

    const size_t row = blockIdx.x;
    const cplx* x = X + row * n;
    double* p = psd + row * (size_t)(n / 2 + 1);

    double acc = 0.0;
    for (int k = threadIdx.x; k < n; k += blockDim.x) {
        const cplx v = x[k];
        const double m2 = v.x * v.x + v.y * v.y;
        acc += m2;
        if (k <= n / 2) {
            const double w = (k == 0 || k == n / 2) ? 1.0 : 2.0;
            p[k] = w * scale * m2;
        }
    }

    for (int o = 16; o > 0; o >>= 1)
        acc += __shfl_down_sync(0xffffffffu, acc, o);

    const int lane = threadIdx.x & 31;
    const int wid  = threadIdx.x >> 5;
    if (lane == 0) s_warp[wid] = acc;
    __syncthreads();

    if (wid == 0) {
        acc = (lane < (blockDim.x >> 5)) ? s_warp[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1)
            acc += __shfl_down_sync(0xffffffffu, acc, o);
        if (lane == 0) energy[row] = acc / n;           // sum|x|^2 = (1/N) sum|X|^2
    }
}

// ---------------------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------------------
static void build_twiddles()
{
    std::vector<cplx> fine(TW_FINE), coarse(TW_COARSE);
    for (int j = 0; j < TW_FINE; ++j) {
        const double a = -2.0 * M_PI * (double)j / (double)TW_NMAX;
        fine[j] = make_cuDoubleComplex(cos(a), sin(a));
    }
    for (int m = 0; m < TW_COARSE; ++m) {
        const double a = -2.0 * M_PI * (double)m * TW_FINE / (double)TW_NMAX;
        coarse[m] = make_cuDoubleComplex(cos(a), sin(a));
    }
    CUDA_CHECK(cudaMemcpyToSymbol(c_tw_fine, fine.data(), TW_FINE * sizeof(cplx)));
    CUDA_CHECK(cudaMemcpyToSymbol(c_tw_coarse, coarse.data(), TW_COARSE * sizeof(cplx)));
}

// returns the buffer holding the result (a or b)
static cplx* run_fft(cplx* a, cplx* b, int log2n, int rows, cudaStream_t s)
{
    const int n = 1 << log2n;
    const int twShift = TW_LOG2 - log2n;

    if (n <= SMEM_FFT_MAX) {
        fft_block_shared<<<rows, n / 2, n * sizeof(cplx), s>>>(a, b, log2n, twShift);
        return b;
    }

    cplx* src = a;
    cplx* dst = b;
    int ns = 1;
    for (int p = 0; p < log2n / 2; ++p) {
        dim3 grid((n / 4 + STAGE_THREADS - 1) / STAGE_THREADS, rows);
        fft_stockham_stage<4><<<grid, STAGE_THREADS, 0, s>>>(src, dst, n, ns, twShift);
        std::swap(src, dst);
        ns *= 4;
    }
    if (log2n & 1) {
        dim3 grid((n / 2 + STAGE_THREADS - 1) / STAGE_THREADS, rows);
        fft_stockham_stage<2><<<grid, STAGE_THREADS, 0, s>>>(src, dst, n, ns, twShift);
        std::swap(src, dst);
    }
    return src;
}

int main(int argc, char** argv)
{
    const int log2n   = (argc > 1) ? atoi(argv[1]) : 14;
    const int batch   = (argc > 2) ? atoi(argv[2]) : 2048;
    const int nChunks = 8;
    const int nStreams = 3;
    const int n = 1 << log2n;
    if (log2n < 2 || log2n > TW_LOG2 || batch % nChunks) {
        fprintf(stderr, "usage: %s log2n(2..%d) batch(multiple of %d)\n", argv[0], TW_LOG2, nChunks);
        return 1;
    }
    const int rowsPerChunk = batch / nChunks;
    const int nPsd = n / 2 + 1;
    const double fs = 2.0e6;
    const double psdScale = 1.0 / (fs * 0.375 * n);     // Hann: sum w^2 = 3N/8

    build_twiddles();

    float*  h_sig;
    double* h_psd;
    double* h_energy;
    CUDA_CHECK(cudaMallocHost(&h_sig, (size_t)batch * n * sizeof(float)));
    CUDA_CHECK(cudaMallocHost(&h_psd, (size_t)batch * nPsd * sizeof(double)));
    CUDA_CHECK(cudaMallocHost(&h_energy, (size_t)batch * sizeof(double)));

    for (int b = 0; b < batch; ++b)
        for (int t = 0; t < n; ++t) {
            const double f0 = 1.0e5 + 250.0 * b;
            h_sig[(size_t)b * n + t] = (float)(sin(2.0 * M_PI * f0 * t / fs) +
                                               0.1 * ((double)rand() / RAND_MAX - 0.5));
        }

    float*  d_sig;
    cplx*   d_a;
    cplx*   d_b;
    double* d_psd;
    double* d_energy;
    CUDA_CHECK(cudaMalloc(&d_sig, (size_t)batch * n * sizeof(float)));
    CUDA_CHECK(cudaMalloc(&d_a, (size_t)batch * n * sizeof(cplx)));
    CUDA_CHECK(cudaMalloc(&d_b, (size_t)batch * n * sizeof(cplx)));
    CUDA_CHECK(cudaMalloc(&d_psd, (size_t)batch * nPsd * sizeof(double)));
    CUDA_CHECK(cudaMalloc(&d_energy, (size_t)batch * sizeof(double)));

    if (n <= SMEM_FFT_MAX) {
        // prefer the larger L1/shared split for the in-smem path
        CUDA_CHECK(cudaFuncSetAttribute(fft_block_shared,
                                        cudaFuncAttributePreferredSharedMemoryCarveout,
                                        cudaSharedmemCarveoutMaxShared));
    }

    cudaStream_t streams[nStreams];
    cudaEvent_t done[nStreams];
    for (int i = 0; i < nStreams; ++i) {
        CUDA_CHECK(cudaStreamCreateWithFlags(&streams[i], cudaStreamNonBlocking));
        CUDA_CHECK(cudaEventCreateWithFlags(&done[i], cudaEventDisableTiming));
    }
    cudaEvent_t evStart, evStop;
    CUDA_CHECK(cudaEventCreate(&evStart));
    CUDA_CHECK(cudaEventCreate(&evStop));

    CUDA_CHECK(cudaEventRecord(evStart, streams[0]));
    for (int i = 1; i < nStreams; ++i)
        CUDA_CHECK(cudaStreamWaitEvent(streams[i], evStart, 0));

    for (int c = 0; c < nChunks; ++c) {
        cudaStream_t s = streams[c % nStreams];
        const size_t row0 = (size_t)c * rowsPerChunk;
        const size_t off  = row0 * n;
        const long long cnt = (long long)rowsPerChunk * n;

        CUDA_CHECK(cudaMemcpyAsync(d_sig + off, h_sig + off, cnt * sizeof(float),
                                   cudaMemcpyHostToDevice, s));

        const int wgrid = (int)std::min<long long>((cnt + 255) / 256, 4096);
        window_and_convert<<<wgrid, 256, 0, s>>>(d_sig + off, d_a + off, n, cnt);

        cplx* res = run_fft(d_a + off, d_b + off, log2n, rowsPerChunk, s);

        spectrum_power_reduce<<<rowsPerChunk, 256, 0, s>>>(res, d_psd + row0 * nPsd,
                                                           d_energy + row0, n, psdScale);

        CUDA_CHECK(cudaMemcpyAsync(h_psd + row0 * nPsd, d_psd + row0 * nPsd,
                                   (size_t)rowsPerChunk * nPsd * sizeof(double),
                                   cudaMemcpyDeviceToHost, s));
        CUDA_CHECK(cudaMemcpyAsync(h_energy + row0, d_energy + row0,
                                   rowsPerChunk * sizeof(double), cudaMemcpyDeviceToHost, s));
    }
    CUDA_CHECK(cudaGetLastError());

    for (int i = 0; i < nStreams; ++i) {
        CUDA_CHECK(cudaEventRecord(done[i], streams[i]));
        CUDA_CHECK(cudaStreamWaitEvent(streams[0], done[i], 0));
    }
    CUDA_CHECK(cudaEventRecord(evStop, streams[0]));
    CUDA_CHECK(cudaEventSynchronize(evStop));

    float ms = 0.f;
    CUDA_CHECK(cudaEventElapsedTime(&ms, evStart, evStop));
    const double gflop = 5.0 * n * log2n * (double)batch * 1e-9;
    printf("N = %d, batch = %d : %.3f ms incl. transfers  (%.1f GFLOP/s FFT-equivalent)\n",
           n, batch, ms, gflop / (ms * 1e-3));

    // Parseval check against the windowed time-domain energy of the first signal
    double e0 = 0.0;
    for (int t = 0; t < n; ++t) {
        const double w = 0.5 - 0.5 * cos(2.0 * M_PI * t / n);
        e0 += w * w * (double)h_sig[t] * h_sig[t];
    }
    printf("Parseval rel. error (row 0): %.3e\n", fabs(h_energy[0] - e0) / e0);

    int kmax = 1;
    for (int k = 1; k < nPsd; ++k)
        if (h_psd[k] > h_psd[kmax]) kmax = k;
    printf("row 0 peak at %.1f Hz\n", kmax * fs / n);

    for (int i = 0; i < nStreams; ++i) {
        CUDA_CHECK(cudaStreamDestroy(streams[i]));
        CUDA_CHECK(cudaEventDestroy(done[i]));
    }
    CUDA_CHECK(cudaEventDestroy(evStart));
    CUDA_CHECK(cudaEventDestroy(evStop));
    CUDA_CHECK(cudaFree(d_sig));
    CUDA_CHECK(cudaFree(d_a));
    CUDA_CHECK(cudaFree(d_b));
    CUDA_CHECK(cudaFree(d_psd));
    CUDA_CHECK(cudaFree(d_energy));
    CUDA_CHECK(cudaFreeHost(h_sig));
    CUDA_CHECK(cudaFreeHost(h_psd));
    CUDA_CHECK(cudaFreeHost(h_energy));
    return 0;
}

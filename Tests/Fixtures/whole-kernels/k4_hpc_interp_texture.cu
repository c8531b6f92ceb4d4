// k4_hpc_interp_texture.cu
//
// Delay-and-sum receive beamformer for a towed linear hydrophone array.
// Complex baseband samples (float2 = I/Q), channel-major: x[ch][n].
//
//   1. beam_dispatch_parent   one thread per element computes the steering delay and
//                             launches fractional_delay_tex for its channel
//                             (dynamic parallelism: -rdc=true -lcudadevrt)
//   2. fractional_delay_tex   hardware linear interpolation through a 2D texture
//                             (x = sample, y = channel), phase rotation to the carrier
//   3. fir_decimate_smem      lowpass FIR + decimation by DECIM, taps in __constant__
//   4. beam_sum_power         apodised coherent sum over channels, beam power in dB
//
// Host buffers are managed memory with placement / prefetch hints.
//
// nvcc -O3 -arch=sm_80 -rdc=true k4_hpc_interp_texture.cu -lcudadevrt -o dasbf

#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <vector>
#include <cuda_runtime.h>
#include <math_constants.h>

#define CK(x)                                                                     \
    do {                                                                          \
        cudaError_t e_ = (x);                                                     \
        if (e_ != cudaSuccess) {                                                  \
            fprintf(stderr, "%s(%d): %s\n", __FILE__, __LINE__,                   \
                    cudaGetErrorString(e_));                                      \
            exit(2);                                                              \
        }                                                                         \
    } while (0)

#define MAX_TAPS   128
#define DECIM      4
#define FIR_BLOCK  128
#define FIR_OUT    4                                  // outputs per thread
#define FIR_OUT_PER_BLOCK (FIR_BLOCK * FIR_OUT)
#define FIR_SPAN   ((FIR_OUT_PER_BLOCK - 1) * DECIM + MAX_TAPS)

__constant__ float c_taps[MAX_TAPS];

static __device__ __forceinline__ float2 cmulf(float2 a, float2 b)
{
    return make_float2(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// ---------------------------------------------------------------------------------------
// child: y[ch][n] = rot * x(ch, t0 + n*rate)
// ---------------------------------------------------------------------------------------
__global__ void fractional_delay_tex(cudaTextureObject_t tex, float2* __restrict__ delayed,
                                     int ch, int nout, float t0, float rate, float2 rot)
{
    float2* y = delayed + (size_t)ch * nout;
    const float row = ch + 0.5f;
    for (int n = blockIdx.x * blockDim.x + threadIdx.x; n < nout; n += gridDim.x * blockDim.x) {
        const float t = fmaf((float)n, rate, t0);
        // +0.5: texel centres; border addressing returns 0 outside the record
        const float2 x = tex2D<float2>(tex, t + 0.5f, row);
        y[n] = cmulf(x, rot);
    }
}

// ---------------------------------------------------------------------------------------
// parent: one thread per array element
// ---------------------------------------------------------------------------------------
__global__ void beam_dispatch_parent(cudaTextureObject_t tex, float2* __restrict__ delayed,
                                     const float* __restrict__ elem_x, int nchan, int nout,
                                     float sin_theta, float fs, float fc, float c_sound,
                                     float rate)
{
    const int ch = blockIdx.x * blockDim.x + threadIdx.x;
    if (ch >= nchan) return;

    const float tau = elem_x[ch] * sin_theta / c_sound;    // seconds, relative to array centre
    const float t0  = tau * fs;                              // samples

    // undo the carrier phase of the delay; reduce to one cycle before the fast sincos
    const float cyc = fc * tau;
    const float frac = cyc - rintf(cyc);
    float s, c;
    __sincosf(2.0f * CUDART_PI_F * frac, &s, &c);

    const int threads = 256;
    const int blocks  = min((nout + threads - 1) / threads, 512);

    // own stream per child: launches into the block's implicit stream would serialise
    // the channels, this way the per-channel grids run concurrently
    cudaStream_t child;
    cudaStreamCreateWithFlags(&child, cudaStreamNonBlocking);
    fractional_delay_tex<<<blocks, threads, 0, child>>>(tex, delayed, ch, nout, t0, rate,
                                                        make_float2(c, s));
    cudaStreamDestroy(child);
}

// ---------------------------------------------------------------------------------------
// y[m] = sum_j h[j] x[m*DECIM - j]; blockIdx.y = channel.
// Each thread keeps FIR_OUT accumulators so every tap fetched from constant memory
// feeds FIR_OUT outputs.
// ---------------------------------------------------------------------------------------
__global__ void __launch_bounds__(FIR_BLOCK)
fir_decimate_smem(const float2* __restrict__ x, float2* __restrict__ y,
                  int nin, int nout, int ntaps)
{
    __shared__ float2 s_x[FIR_SPAN];

    const int ch = blockIdx.y;
    const float2* xc = x + (size_t)ch * nin;
    float2* yc = y + (size_t)ch * nout;

    const int m0   = blockIdx.x * FIR_OUT_PER_BLOCK;
    const int base = m0 * DECIM - (ntaps - 1);
    const int span = (FIR_OUT_PER_BLOCK - 1) * DECIM + ntaps;

    for (int t = threadIdx.x; t < span; t += FIR_BLOCK) {
        const int g = base + t;
        s_x[t] = (g >= 0 && g < nin) ? xc[g] : make_float2(0.f, 0.f);
    }
    __syncthreads();

    float2 acc[FIR_OUT];
#pragma unroll
    for (int r = 0; r < FIR_OUT; ++r) acc[r] = make_float2(0.f, 0.f);

    for (int j = 0; j < ntaps; ++j) {
        const float h = c_taps[j];
        const int o = (ntaps - 1) - j;
#pragma unroll
        for (int r = 0; r < FIR_OUT; ++r) {
            const float2 v = s_x[(threadIdx.x + r * FIR_BLOCK) * DECIM + o];
            acc[r].x = fmaf(h, v.x, acc[r].x);
            acc[r].y = fmaf(h, v.y, acc[r].y);
        }
    }

#pragma unroll
    for (int r = 0; r < FIR_OUT; ++r) {
        const int m = m0 + threadIdx.x + r * FIR_BLOCK;
        if (m < nout) yc[m] = acc[r];
    }
}

// ---------------------------------------------------------------------------------------
// coherent sum over channels + power in dB
// ---------------------------------------------------------------------------------------
__global__ void beam_sum_power(const float2* __restrict__ y, const float* __restrict__ apod,
                               float* __restrict__ beam_db, int nchan, int nout, float pfloor)
{
    const int n = blockIdx.x * blockDim.x + threadIdx.x;
    if (n >= nout) return;

    // apod is tiny and read by every thread: const __restrict__ lets it go through the
    // read-only data path
    float2 sum = make_float2(0.f, 0.f);
    float wsum = 0.f;
    int ch = 0;
    for (; ch + 1 < nchan; ch += 2) {
        // two elements per trip packed as (re0, im0, re1, im1)
        const float2* y0 = y + (size_t)ch * nout;
        const float2* y1 = y0 + nout;
        const float4 q = make_float4(y0[n].x, y0[n].y, y1[n].x, y1[n].y);
        const float w0 = apod[ch], w1 = apod[ch + 1];
        sum.x = fmaf(w0, q.x, fmaf(w1, q.z, sum.x));
        sum.y = fmaf(w0, q.y, fmaf(w1, q.w, sum.y));
        wsum += w0 + w1;
    }
    if (ch < nchan) {
        const float2 v = y[(size_t)ch * nout + n];
        const float w = apod[ch];
        sum.x = fmaf(w, v.x, sum.x);
        sum.y = fmaf(w, v.y, sum.y);
        wsum += w;
    }

    const float p = __fdividef(sum.x * sum.x + sum.y * sum.y, wsum * wsum);
    beam_db[n] = 10.0f * __log10f(fmaxf(p, pfloor));
}

// ---------------------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------------------
int main(int argc, char** argv)
{
    const int   nchan   = (argc > 1) ? atoi(argv[1]) : 96;
    const int   nsamp   = (argc > 2) ? atoi(argv[2]) : 65536;
    const int   nbeams  = (argc > 3) ? atoi(argv[3]) : 121;
    const int   ntaps   = 96;
    const float fs      = 12000.f;        // complex sample rate after mixing
    const float fc      = 3500.f;         // carrier
    const float c_sound = 1500.f;
    const float dx      = 0.5f * c_sound / fc;   // half-wavelength spacing
    const float src_deg = 23.0f;
    const int   nout    = nsamp;                  // delayed record length
    const int   ndec    = nout / DECIM;

    int dev;
    CK(cudaGetDevice(&dev));
    cudaStream_t st;
    CK(cudaStreamCreate(&st));

    float2* raw;
    float*  elem_x;
    float*  apod;
    float*  beam_db;
    CK(cudaMallocManaged(&raw, (size_t)nchan * nsamp * sizeof(float2)));
    CK(cudaMallocManaged(&elem_x, nchan * sizeof(float)));
    CK(cudaMallocManaged(&apod, nchan * sizeof(float)));
    CK(cudaMallocManaged(&beam_db, (size_t)nbeams * ndec * sizeof(float)));

    float2* d_delayed;
    float2* d_filt;
    CK(cudaMalloc(&d_delayed, (size_t)nchan * nout * sizeof(float2)));
    CK(cudaMalloc(&d_filt, (size_t)nchan * ndec * sizeof(float2)));

    // synthetic record: narrowband plane wave from src_deg plus white noise
    const float st_src = sinf(src_deg * (float)M_PI / 180.f);
    for (int ch = 0; ch < nchan; ++ch) {
        elem_x[ch] = (ch - 0.5f * (nchan - 1)) * dx;
        apod[ch]   = 0.54f - 0.46f * cosf(2.f * (float)M_PI * ch / (nchan - 1));   // Hamming
        const float tau = elem_x[ch] * st_src / c_sound;
        for (int n = 0; n < nsamp; ++n) {
            const float ph = 2.f * (float)M_PI * (150.f * (n / fs - tau) + fc * -tau);
            const float nr = 0.3f * ((float)rand() / RAND_MAX - 0.5f);
            const float ni = 0.3f * ((float)rand() / RAND_MAX - 0.5f);
            raw[(size_t)ch * nsamp + n] = make_float2(cosf(ph) + nr, sinf(ph) + ni);
        }
    }

    CK(cudaMemAdvise(elem_x, nchan * sizeof(float), cudaMemAdviseSetReadMostly, dev));
    CK(cudaMemAdvise(apod, nchan * sizeof(float), cudaMemAdviseSetReadMostly, dev));
    CK(cudaMemAdvise(beam_db, (size_t)nbeams * ndec * sizeof(float),
                     cudaMemAdviseSetPreferredLocation, cudaCpuDeviceId));
    CK(cudaMemPrefetchAsync(raw, (size_t)nchan * nsamp * sizeof(float2), dev, st));
    CK(cudaMemPrefetchAsync(elem_x, nchan * sizeof(float), dev, st));
    CK(cudaMemPrefetchAsync(apod, nchan * sizeof(float), dev, st));

    // texture: width = samples, height = channels
    cudaChannelFormatDesc cd = cudaCreateChannelDesc<float2>();
    cudaArray_t arr;
    CK(cudaMallocArray(&arr, &cd, nsamp, nchan));
    CK(cudaMemcpy2DToArrayAsync(arr, 0, 0, raw, nsamp * sizeof(float2), nsamp * sizeof(float2),
                                nchan, cudaMemcpyDefault, st));

    cudaResourceDesc rd = {};
    rd.resType = cudaResourceTypeArray;
    rd.res.array.array = arr;
    cudaTextureDesc td = {};
    td.addressMode[0]   = cudaAddressModeBorder;
    td.addressMode[1]   = cudaAddressModeClamp;
    td.filterMode       = cudaFilterModeLinear;
    td.readMode         = cudaReadModeElementType;
    td.normalizedCoords = 0;
    cudaTextureObject_t tex;
    CK(cudaCreateTextureObject(&tex, &rd, &td, nullptr));

    // windowed-sinc lowpass, cutoff at the new Nyquist
    std::vector<float> h(ntaps);
    double hs = 0.0;
    for (int j = 0; j < ntaps; ++j) {
        const double m = j - 0.5 * (ntaps - 1);
        const double fcut = 0.5 / DECIM;
        const double sinc = (m == 0.0) ? 2.0 * fcut : sin(2.0 * M_PI * fcut * m) / (M_PI * m);
        const double bw = 0.42 - 0.5 * cos(2.0 * M_PI * j / (ntaps - 1)) +
                          0.08 * cos(4.0 * M_PI * j / (ntaps - 1));
        h[j] = (float)(sinc * bw);
        hs += h[j];
    }
    for (int j = 0; j < ntaps; ++j) h[j] = (float)(h[j] / hs);
    CK(cudaMemcpyToSymbolAsync(c_taps, h.data(), ntaps * sizeof(float), 0,
                               cudaMemcpyHostToDevice, st));

    cudaEvent_t e0, e1;
    CK(cudaEventCreate(&e0));
    CK(cudaEventCreate(&e1));
    CK(cudaEventRecord(e0, st));

    const dim3 firGrid((ndec + FIR_OUT_PER_BLOCK - 1) / FIR_OUT_PER_BLOCK, nchan);
    for (int b = 0; b < nbeams; ++b) {
        const float deg = -60.f + 120.f * b / (nbeams - 1);
        const float sth = sinf(deg * (float)M_PI / 180.f);
        beam_dispatch_parent<<<(nchan + 63) / 64, 64, 0, st>>>(tex, d_delayed, elem_x, nchan,
                                                               nout, sth, fs, fc, c_sound, 1.0f);
        fir_decimate_smem<<<firGrid, FIR_BLOCK, 0, st>>>(d_delayed, d_filt, nout, ndec, ntaps);
        beam_sum_power<<<(ndec + 255) / 256, 256, 0, st>>>(d_filt, apod, beam_db + (size_t)b * ndec,
                                                           nchan, ndec, 1e-12f);
    }
    CK(cudaGetLastError());
    CK(cudaEventRecord(e1, st));
    CK(cudaMemPrefetchAsync(beam_db, (size_t)nbeams * ndec * sizeof(float), cudaCpuDeviceId, st));
    CK(cudaStreamSynchronize(st));

    float ms;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    printf("%d beams x %d channels x %d samples: %.2f ms (%.2f us/beam)\n",
           nbeams, nchan, nsamp, ms, 1e3f * ms / nbeams);

    // bearing-time record collapsed to mean power per beam
    int best = 0;
    double bestP = -1e30;
    for (int b = 0; b < nbeams; ++b) {
        double acc = 0.0;
        for (int m = MAX_TAPS; m < ndec - MAX_TAPS; ++m) acc += beam_db[(size_t)b * ndec + m];
        acc /= (ndec - 2 * MAX_TAPS);
        if (acc > bestP) { bestP = acc; best = b; }
    }
    printf("peak beam %d at %.1f deg (%.2f dB), source at %.1f deg\n",
           best, -60.f + 120.f * best / (nbeams - 1), bestP, src_deg);

    CK(cudaDestroyTextureObject(tex));
    CK(cudaFreeArray(arr));
    CK(cudaEventDestroy(e0));
    CK(cudaEventDestroy(e1));
    CK(cudaStreamDestroy(st));
    CK(cudaFree(raw));
    CK(cudaFree(elem_x));
    CK(cudaFree(apod));
    CK(cudaFree(beam_db));
    CK(cudaFree(d_delayed));
    CK(cudaFree(d_filt));
    return 0;
}

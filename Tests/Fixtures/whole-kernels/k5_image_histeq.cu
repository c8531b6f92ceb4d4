// k5_image_histeq.cu
//
// Global histogram equalisation of 8-bit luma (histogram + LUT in one launch,
// LUT applied in place), and a full 16-bit histogram of the raw sensor frame
// that feeds the auto-exposure statistics.

#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CUDA_CHECK(call)                                                        \
    do {                                                                        \
        cudaError_t err_ = (call);                                              \
        if (err_ != cudaSuccess) {                                              \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,                  \
                    cudaGetErrorString(err_));                                  \
            exit(EXIT_FAILURE);                                                 \
        }                                                                       \
    } while (0)

constexpr int HIST_BINS    = 256;
constexpr int HIST_THREADS = 256;     // the LUT stage below needs one thread per bin
constexpr int RAW_BINS     = 65536;
constexpr int RAW_SLICES   = 16;
constexpr int RAW_THREADS  = 256;

// ---------------------------------------------------------------------------
// 8-bit histogram + equalisation LUT.
//
// Every block keeps its own histogram in shared memory, bins with shared atomics
// and merges into the global histogram once. The grid is persistent (resident
// blocks x SMs, see initHistEq) and strides over 16-pixel chunks; the last block
// to finish turns the histogram into the LUT.
// ---------------------------------------------------------------------------
__global__ void __launch_bounds__(HIST_THREADS, 4)   // 4 x 256 threads per SM: enough warps to hide the smem-atomic latency
histogramLutKernel(const unsigned char* __restrict__ img, size_t pitch,
                   int width, int height,
                   unsigned int* __restrict__ hist,
                   unsigned int* __restrict__ blocksDone,
                   unsigned char* __restrict__ lut)
{
    __shared__ unsigned int s_hist[HIST_BINS];
    __shared__ unsigned int s_scan[2][HIST_BINS];
    __shared__ unsigned int s_cdfMin;
    __shared__ bool amLast;

    for (int i = threadIdx.x; i < HIST_BINS; i += blockDim.x) s_hist[i] = 0u;
    __syncthreads();

    // Main part: full 16-pixel chunks only, no per-pixel bounds checks.
    // Rows come from cudaMallocPitch, so every row start is 16-byte aligned.
    const int vecPerRow = width >> 4;
    const long long numVec = (long long)vecPerRow * height;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < numVec;
         i += (long long)gridDim.x * blockDim.x) {
        const int y = (int)(i / vecPerRow);
        const int c = (int)(i - (long long)y * vecPerRow);
        const uint4 v = __ldg(reinterpret_cast<const uint4*>(img + (size_t)y * pitch) + c);
        const unsigned int words[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int w = 0; w < 4; ++w) {
            atomicAdd(&s_hist[ words[w]         & 0xFFu], 1u);
            atomicAdd(&s_hist[(words[w] >>  8)  & 0xFFu], 1u);
            atomicAdd(&s_hist[(words[w] >> 16)  & 0xFFu], 1u);
            atomicAdd(&s_hist[ words[w] >> 24        ], 1u);
        }
    }

    // Remainder: the last width % 16 columns of every row.
    const int tailStart = vecPerRow << 4;
    const int tailW = width - tailStart;
    if (tailW > 0) {
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < tailW * height;
             i += gridDim.x * blockDim.x) {
            const int y = i / tailW;
            const int x = tailStart + (i - y * tailW);
            atomicAdd(&s_hist[img[(size_t)y * pitch + x]], 1u);
        }
    }
    __syncthreads();

    for (int i = threadIdx.x; i < HIST_BINS; i += blockDim.x) {
        const unsigned int n = s_hist[i];
        if (n) atomicAdd(&hist[i], n);
    }

    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0)
        amLast = (atomicAdd(blocksDone, 1u) == gridDim.x - 1);
    __syncthreads();
    if (!amLast) return;

    // ---- last block: CDF and LUT ------------------------------------------
    const int t = threadIdx.x;
    s_scan[0][t] = __ldcg(&hist[t]);
    if (t == 0) s_cdfMin = 0xFFFFFFFFu;
    __syncthreads();

    // Hillis-Steele inclusive scan. Reading one buffer and writing the other
    // means each step needs a single barrier instead of a read barrier plus a
    // write barrier.
    int cur = 0;
    for (int off = 1; off < HIST_BINS; off <<= 1) {
        const unsigned int v = s_scan[cur][t] + (t >= off ? s_scan[cur][t - off] : 0u);
        s_scan[cur ^ 1][t] = v;
        cur ^= 1;
        __syncthreads();
    }

    const unsigned int cdf = s_scan[cur][t];
    if (cdf) atomicMin(&s_cdfMin, cdf);          // CDF is monotone: min non-zero = first occupied bin
    __syncthreads();

    const unsigned int total = s_scan[cur][HIST_BINS - 1];
    const float scale = __fdividef(255.0f, fmaxf(float(total - s_cdfMin), 1.0f));
    lut[t] = cdf ? (unsigned char)__float2uint_rn(float(cdf - s_cdfMin) * scale) : 0;

    if (t == 0) *blocksDone = 0u;                // re-arm for the next frame
}

// ---------------------------------------------------------------------------
// Apply the LUT. Called with the same buffer as source and destination, hence
// no __restrict__ on img. One thread per group of four pixels.
// ---------------------------------------------------------------------------
__global__ void applyLutInPlaceKernel(unsigned char* img, size_t pitch,
                                      int width, int height,
                                      const unsigned char* lut)
{
    __shared__ unsigned char s_lut[HIST_BINS];

    const int tid = threadIdx.y * blockDim.x + threadIdx.x;
    for (int i = tid; i < HIST_BINS; i += blockDim.x * blockDim.y) s_lut[i] = lut[i];
    __syncthreads();

    const int gx = blockIdx.x * blockDim.x + threadIdx.x;   // uchar4 index in the row
    const int y  = blockIdx.y * blockDim.y + threadIdx.y;
    if (y >= height) return;

    unsigned char* row = img + (size_t)y * pitch;
    const int x = gx * 4;
    if (x + 3 < width) {
        uchar4 p = reinterpret_cast<uchar4*>(row)[gx];
        p.x = s_lut[p.x];
        p.y = s_lut[p.y];
        p.z = s_lut[p.z];
        p.w = s_lut[p.w];
        reinterpret_cast<uchar4*>(row)[gx] = p;
    } else {
        for (int i = x; i < width; ++i) row[i] = s_lut[row[i]];
    }
}

// ---------------------------------------------------------------------------
// 16-bit raw histogram. 65536 bins do not fit in shared memory, so blocks bin
// straight into one of RAW_SLICES copies in global memory (blockIdx.x % slices)
// to spread the L2 atomic traffic; mergeRawSlicesKernel adds the copies up.
// ---------------------------------------------------------------------------
__global__ void rawHistogramSlicedKernel(const unsigned short* __restrict__ raw, size_t pitch,
                                         int width, int height,
                                         unsigned int* __restrict__ slices)
{
    unsigned int* myHist = slices + (size_t)(blockIdx.x % RAW_SLICES) * RAW_BINS;
    const int n = width * height;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        const int y = i / width;
        const int x = i - y * width;
        const unsigned short* row =
            reinterpret_cast<const unsigned short*>(reinterpret_cast<const char*>(raw) + (size_t)y * pitch);
        atomicAdd(&myHist[row[x]], 1u);
    }
}

// One thread per bin: for each slice, consecutive threads read consecutive bins,
// so every pass over a slice is a fully coalesced sweep.
__global__ void mergeRawSlicesKernel(const unsigned int* __restrict__ slices,
                                     unsigned int* __restrict__ hist, int numSlices)
{
    const int bin = blockIdx.x * blockDim.x + threadIdx.x;
    if (bin >= RAW_BINS) return;
    unsigned int sum = 0;
    for (int s = 0; s < numSlices; ++s)
        sum += slices[(size_t)s * RAW_BINS + bin];
    hist[bin] = sum;
}

// ---------------------------------------------------------------------------
// Host
// ---------------------------------------------------------------------------
struct HistEqContext {
    unsigned int*  dHist;
    unsigned int*  dBlocksDone;
    unsigned char* dLut;
    unsigned int*  dRawSlices;
    unsigned int*  dRawHist;
    int            histGrid;
    int            rawGrid;
};

static void initHistEq(HistEqContext& ctx)
{
    int dev = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));

    // Persistent grid: exactly as many blocks as can be resident at once.
    int blocksPerSm = 0;
    CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocksPerSm, histogramLutKernel,
                                                             HIST_THREADS, 0));
    ctx.histGrid = blocksPerSm * prop.multiProcessorCount;
    ctx.rawGrid  = RAW_SLICES * 8;

    CUDA_CHECK(cudaMalloc(&ctx.dHist, HIST_BINS * sizeof(unsigned int)));
    CUDA_CHECK(cudaMalloc(&ctx.dBlocksDone, sizeof(unsigned int)));
    CUDA_CHECK(cudaMemset(ctx.dBlocksDone, 0, sizeof(unsigned int)));
    CUDA_CHECK(cudaMalloc(&ctx.dLut, HIST_BINS));
    CUDA_CHECK(cudaMalloc(&ctx.dRawSlices, (size_t)RAW_SLICES * RAW_BINS * sizeof(unsigned int)));
    CUDA_CHECK(cudaMalloc(&ctx.dRawHist, RAW_BINS * sizeof(unsigned int)));
}

static void equalizeLuma(const HistEqContext& ctx, unsigned char* dImg, size_t pitch,
                         int width, int height, cudaStream_t stream)
{
    CUDA_CHECK(cudaMemsetAsync(ctx.dHist, 0, HIST_BINS * sizeof(unsigned int), stream));
    histogramLutKernel<<<ctx.histGrid, HIST_THREADS, 0, stream>>>(
        dImg, pitch, width, height, ctx.dHist, ctx.dBlocksDone, ctx.dLut);

    const dim3 block(16, 16);
    const dim3 grid(((width + 3) / 4 + block.x - 1) / block.x, (height + block.y - 1) / block.y);
    applyLutInPlaceKernel<<<grid, block, 0, stream>>>(dImg, pitch, width, height, ctx.dLut);
    CUDA_CHECK(cudaGetLastError());
}

static void rawHistogram(const HistEqContext& ctx, const unsigned short* dRaw, size_t pitch,
                         int width, int height, cudaStream_t stream)
{
    CUDA_CHECK(cudaMemsetAsync(ctx.dRawSlices, 0,
                               (size_t)RAW_SLICES * RAW_BINS * sizeof(unsigned int), stream));
    rawHistogramSlicedKernel<<<ctx.rawGrid, RAW_THREADS, 0, stream>>>(
        dRaw, pitch, width, height, ctx.dRawSlices);
    mergeRawSlicesKernel<<<RAW_BINS / 256, 256, 0, stream>>>(ctx.dRawSlices, ctx.dRawHist, RAW_SLICES);
    CUDA_CHECK(cudaGetLastError());
}

int main()
{
    const int width = 2448, height = 2048;      // 5 MP sensor

    std::vector<unsigned char>  hLuma((size_t)width * height);
    std::vector<unsigned short> hRaw((size_t)width * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const size_t i = (size_t)y * width + x;
            hLuma[i] = (unsigned char)(64 + ((x ^ y) & 63));          // low-contrast test pattern
            hRaw[i]  = (unsigned short)((x * 7 + y * 13) & 0x0FFF);   // 12-bit data in 16-bit words
        }

    unsigned char*  dLuma; size_t lumaPitch;
    unsigned short* dRaw;  size_t rawPitch;
    CUDA_CHECK(cudaMallocPitch(&dLuma, &lumaPitch, width, height));
    CUDA_CHECK(cudaMallocPitch(&dRaw, &rawPitch, width * sizeof(unsigned short), height));

    HistEqContext ctx;
    initHistEq(ctx);

    cudaStream_t stream;
    CUDA_CHECK(cudaStreamCreate(&stream));

    CUDA_CHECK(cudaMemcpy2DAsync(dLuma, lumaPitch, hLuma.data(), width, width, height,
                                 cudaMemcpyHostToDevice, stream));
    CUDA_CHECK(cudaMemcpy2DAsync(dRaw, rawPitch, hRaw.data(), width * sizeof(unsigned short),
                                 width * sizeof(unsigned short), height,
                                 cudaMemcpyHostToDevice, stream));

    equalizeLuma(ctx, dLuma, lumaPitch, width, height, stream);
    rawHistogram(ctx, dRaw, rawPitch, width, height, stream);

    std::vector<unsigned char> hLut(HIST_BINS);
    std::vector<unsigned int>  hRawHist(RAW_BINS);
    CUDA_CHECK(cudaMemcpyAsync(hLut.data(), ctx.dLut, HIST_BINS, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(hRawHist.data(), ctx.dRawHist, RAW_BINS * sizeof(unsigned int),
                               cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpy2DAsync(hLuma.data(), width, dLuma, lumaPitch, width, height,
                                 cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));

    printf("lut[64]=%u lut[127]=%u  out[0]=%u  raw[0]=%u raw[4095]=%u\n",
           hLut[64], hLut[127], hLuma[0], hRawHist[0], hRawHist[4095]);

    CUDA_CHECK(cudaFree(ctx.dHist));
    CUDA_CHECK(cudaFree(ctx.dBlocksDone));
    CUDA_CHECK(cudaFree(ctx.dLut));
    CUDA_CHECK(cudaFree(ctx.dRawSlices));
    CUDA_CHECK(cudaFree(ctx.dRawHist));
    CUDA_CHECK(cudaFree(dLuma));
    CUDA_CHECK(cudaFree(dRaw));
    CUDA_CHECK(cudaStreamDestroy(stream));
    return 0;
}

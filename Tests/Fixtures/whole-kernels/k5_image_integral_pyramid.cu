// k5_image_integral_pyramid.cu
//
// Per-frame front end for a 360-degree panorama (15360 x 2048):
//   * integral image of the luma (box filters for the feature detector),
//     row scan + in-place column scan
//   * 4-level Gaussian pyramid for the tracker, texture in / surface out
//   * closing (dilate, then erode) of the stereo depth map along rows to
//     fill pin-holes before meshing
// The three jobs are independent and run on their own streams.

#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cooperative_groups/memcpy_async.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace cg = cooperative_groups;

#define CUDA_CHECK(call)                                                        \
    do {                                                                        \
        cudaError_t err_ = (call);                                              \
        if (err_ != cudaSuccess) {                                              \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,                  \
                    cudaGetErrorString(err_));                                  \
            exit(EXIT_FAILURE);                                                 \
        }                                                                       \
    } while (0)

constexpr int SCAN_WARPS  = 8;
constexpr int NUM_LEVELS  = 4;
constexpr int MORPH_THREADS = 256;

// ---------------------------------------------------------------------------
// Integral image, pass 1: inclusive prefix sum of every row.
// One warp per row; lanes walk the row in 32-pixel chunks, so consecutive lanes
// touch consecutive bytes on the load side and consecutive words on the store
// side (coalesced both ways).
//
// uint32 wraps for a frame this size, which is fine: box sums taken as
// differences of four corners are exact mod 2^32 as long as a box holds fewer
// than 2^32 / 255 pixels.
// ---------------------------------------------------------------------------
__global__ void __launch_bounds__(SCAN_WARPS * 32)
integralRowScanKernel(const unsigned char* __restrict__ src, size_t srcPitch,
                      unsigned int* __restrict__ dst, size_t dstPitch,
                      int width, int height)
{
    const int lane = threadIdx.x & 31;
    const int row  = blockIdx.x * SCAN_WARPS + (threadIdx.x >> 5);
    if (row >= height) return;                 // whole warp leaves together

    const unsigned char* in = src + (size_t)row * srcPitch;
    unsigned int* out = reinterpret_cast<unsigned int*>(reinterpret_cast<char*>(dst) + (size_t)row * dstPitch);

    unsigned int carry = 0;
    for (int x0 = 0; x0 < width; x0 += 32) {
        const int x = x0 + lane;
        unsigned int v = (x < width) ? (unsigned int)__ldg(in + x) : 0u;
#pragma unroll
        for (int off = 1; off < 32; off <<= 1) {
            const unsigned int n = __shfl_up_sync(0xffffffffu, v, off);
            if (lane >= off) v += n;
        }
        if (x < width) out[x] = v + carry;
        carry += __shfl_sync(0xffffffffu, v, 31);
    }
}

// ---------------------------------------------------------------------------
// Integral image, pass 2: prefix sum down every column, in place.
// One thread per column: a warp covers 32 adjacent columns, so every row step
// is one coalesced 128-byte read and write.
// ---------------------------------------------------------------------------
__global__ void integralColumnScanKernel(unsigned int* __restrict__ integral, size_t pitch,
                                         int width, int height)
{
    const int x = blockIdx.x * blockDim.x + threadIdx.x;
    if (x >= width) return;

    char* base = reinterpret_cast<char*>(integral);
    unsigned int sum = 0;
    // Kept rolled on purpose: the body is one dependent add, and with one
    // thread per column of a 15360-wide frame there are already plenty of
    // loads in flight per SM. Unrolling only costs registers here.
#pragma unroll 1
    for (int y = 0; y < height; ++y) {
        unsigned int* p = reinterpret_cast<unsigned int*>(base + (size_t)y * pitch) + x;
        sum += *p;
        *p = sum;
    }
}

// ---------------------------------------------------------------------------
// Pyramid: level l -> l+1, 5-tap binomial [1 4 6 4 1]/16 in x and y, then
// decimate by 2. With linear filtering on, taps (1,4) and (4,1) collapse into
// one fetch each at offset -/+1.2 (= (1*2 + 4*1)/5) carrying weight 5/16, so
// the 25-tap kernel costs 9 fetches.
// ---------------------------------------------------------------------------
__global__ void pyramidDownKernel(cudaTextureObject_t srcTex, cudaSurfaceObject_t dstSurf,
                                  int dstW, int dstH)
{
    const int ox = blockIdx.x * blockDim.x + threadIdx.x;
    const int oy = blockIdx.y * blockDim.y + threadIdx.y;
    if (ox >= dstW || oy >= dstH) return;

    const float cx = 2.0f * ox + 0.5f;         // texel centre of the source pixel
    const float cy = 2.0f * oy + 0.5f;
    const float offs[3] = {-1.2f, 0.0f, 1.2f};
    const float wts[3]  = {5.0f / 16.0f, 6.0f / 16.0f, 5.0f / 16.0f};

    float acc = 0.0f;
#pragma unroll
    for (int j = 0; j < 3; ++j) {
        float rowAcc = 0.0f;
#pragma unroll
        for (int i = 0; i < 3; ++i)
            rowAcc = fmaf(wts[i], tex2D<float>(srcTex, cx + offs[i], cy + offs[j]), rowAcc);
        acc = fmaf(wts[j], rowAcc, acc);
    }
    surf2Dwrite(acc, dstSurf, ox * (int)sizeof(float), oy);
}

// ---------------------------------------------------------------------------
// Row half of a separable rectangular dilation (kDilate) / erosion.
// One block per row: the whole row is staged in dynamic shared memory with a
// block-wide async copy, then every thread sweeps its windows out of smem.
// A 15360-float row is 60 KiB, past the default 48 KiB (see launchMorphRow).
// ---------------------------------------------------------------------------
template <bool kDilate>
__global__ void __launch_bounds__(MORPH_THREADS)
morphologyRowKernel(const float* __restrict__ src, size_t srcPitch,
                    float* __restrict__ dst, size_t dstPitch,
                    int width, int radius)
{
    extern __shared__ float s_row[];
    cg::thread_block block = cg::this_thread_block();

    const int y = blockIdx.x;
    const float* in = reinterpret_cast<const float*>(reinterpret_cast<const char*>(src) + (size_t)y * srcPitch);
    cg::memcpy_async(block, s_row, in, sizeof(float) * width);
    cg::wait(block);

    float* out = reinterpret_cast<float*>(reinterpret_cast<char*>(dst) + (size_t)y * dstPitch);
    for (int x = block.thread_rank(); x < width; x += block.size()) {
        float m = s_row[x];
        for (int k = 1; k <= radius; ++k) {
            // Clamped neighbours instead of edge tests inside the window loop.
            const float a = s_row[max(x - k, 0)];
            const float b = s_row[min(x + k, width - 1)];
            m = kDilate ? fmaxf(m, fmaxf(a, b)) : fminf(m, fminf(a, b));
        }
        out[x] = m;
    }
}

// ---------------------------------------------------------------------------
// Host
// ---------------------------------------------------------------------------
struct Pyramid {
    int                 w[NUM_LEVELS], h[NUM_LEVELS];
    cudaArray_t         level[NUM_LEVELS];
    cudaTextureObject_t tex[NUM_LEVELS];
    cudaSurfaceObject_t surf[NUM_LEVELS];   // surf[0] unused: level 0 is uploaded
};

static cudaTextureObject_t makeLinearTexture(cudaArray_t arr, bool normalizedRead)
{
    cudaResourceDesc res = {};
    res.resType = cudaResourceTypeArray;
    res.res.array.array = arr;

    cudaTextureDesc td = {};
    td.addressMode[0]   = cudaAddressModeClamp;
    td.addressMode[1]   = cudaAddressModeClamp;
    td.filterMode       = cudaFilterModeLinear;
    td.readMode         = normalizedRead ? cudaReadModeNormalizedFloat : cudaReadModeElementType;
    td.normalizedCoords = 0;

    cudaTextureObject_t t = 0;
    CUDA_CHECK(cudaCreateTextureObject(&t, &res, &td, nullptr));
    return t;
}

static void createPyramid(Pyramid& p, int width, int height)
{
    for (int l = 0; l < NUM_LEVELS; ++l) {
        p.w[l] = l ? (p.w[l - 1] + 1) / 2 : width;
        p.h[l] = l ? (p.h[l - 1] + 1) / 2 : height;
        // Level 0 is 8-bit read back as [0,1]; the rest are float in the same units.
        const cudaChannelFormatDesc fmt =
            l ? cudaCreateChannelDesc<float>() : cudaCreateChannelDesc<unsigned char>();
        CUDA_CHECK(cudaMallocArray(&p.level[l], &fmt, p.w[l], p.h[l],
                                   l ? cudaArraySurfaceLoadStore : cudaArrayDefault));
        p.tex[l] = makeLinearTexture(p.level[l], l == 0);
        p.surf[l] = 0;
        if (l) {
            cudaResourceDesc res = {};
            res.resType = cudaResourceTypeArray;
            res.res.array.array = p.level[l];
            CUDA_CHECK(cudaCreateSurfaceObject(&p.surf[l], &res));
        }
    }
}

static void buildPyramid(const Pyramid& p, const unsigned char* dLuma, size_t pitch, cudaStream_t s)
{
    CUDA_CHECK(cudaMemcpy2DToArrayAsync(p.level[0], 0, 0, dLuma, pitch, p.w[0], p.h[0],
                                        cudaMemcpyDeviceToDevice, s));
    const dim3 block(16, 16);
    for (int l = 1; l < NUM_LEVELS; ++l) {
        const dim3 grid((p.w[l] + block.x - 1) / block.x, (p.h[l] + block.y - 1) / block.y);
        pyramidDownKernel<<<grid, block, 0, s>>>(p.tex[l - 1], p.surf[l], p.w[l], p.h[l]);
    }
}

static void buildIntegral(const unsigned char* dLuma, size_t lumaPitch,
                          unsigned int* dIntegral, size_t intPitch,
                          int width, int height, cudaStream_t s)
{
    integralRowScanKernel<<<(height + SCAN_WARPS - 1) / SCAN_WARPS, SCAN_WARPS * 32, 0, s>>>(
        dLuma, lumaPitch, dIntegral, intPitch, width, height);
    integralColumnScanKernel<<<(width + 127) / 128, 128, 0, s>>>(dIntegral, intPitch, width, height);
}

template <bool kDilate>
static void launchMorphRow(const float* dSrc, float* dDst, size_t pitch,
                           int width, int height, int radius, cudaStream_t s)
{
    const size_t smemBytes = sizeof(float) * width;
    if (smemBytes > 48 * 1024)
        CUDA_CHECK(cudaFuncSetAttribute(morphologyRowKernel<kDilate>,
                                        cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smemBytes));
    morphologyRowKernel<kDilate><<<height, MORPH_THREADS, smemBytes, s>>>(
        dSrc, pitch, dDst, pitch, width, radius);
}

int main()
{
    const int W = 15360, H = 2048;
    const int holeRadius = 3;

    unsigned char* hLuma;
    float* hDepth;
    CUDA_CHECK(cudaMallocHost(&hLuma, (size_t)W * H));
    CUDA_CHECK(cudaMallocHost(&hDepth, (size_t)W * H * sizeof(float)));
    for (size_t i = 0; i < (size_t)W * H; ++i) {
        hLuma[i]  = (unsigned char)((i * 2654435761u) >> 24);
        hDepth[i] = (i % 97 == 0) ? 0.0f : 2.0f + 0.001f * float(i % W);   // sparse holes
    }

    unsigned char* dLuma;     size_t lumaPitch;
    unsigned int*  dIntegral; size_t intPitch;
    float *dDepth, *dDepthTmp; size_t depthPitch, depthTmpPitch;
    CUDA_CHECK(cudaMallocPitch(&dLuma, &lumaPitch, W, H));
    CUDA_CHECK(cudaMallocPitch(&dIntegral, &intPitch, W * sizeof(unsigned int), H));
    CUDA_CHECK(cudaMallocPitch(&dDepth, &depthPitch, W * sizeof(float), H));
    CUDA_CHECK(cudaMallocPitch(&dDepthTmp, &depthTmpPitch, W * sizeof(float), H));
    if (depthPitch != depthTmpPitch) {
        fprintf(stderr, "depth pitch mismatch\n");
        return EXIT_FAILURE;
    }

    Pyramid pyr;
    createPyramid(pyr, W, H);

    cudaStream_t sInt, sPyr, sDepth;
    CUDA_CHECK(cudaStreamCreateWithFlags(&sInt, cudaStreamNonBlocking));
    CUDA_CHECK(cudaStreamCreateWithFlags(&sPyr, cudaStreamNonBlocking));
    CUDA_CHECK(cudaStreamCreateWithFlags(&sDepth, cudaStreamNonBlocking));
    cudaEvent_t evLuma, evPyr, evDepth;
    CUDA_CHECK(cudaEventCreateWithFlags(&evLuma, cudaEventDisableTiming));
    CUDA_CHECK(cudaEventCreateWithFlags(&evPyr, cudaEventDisableTiming));
    CUDA_CHECK(cudaEventCreateWithFlags(&evDepth, cudaEventDisableTiming));

    // Luma upload on sInt; the pyramid waits for it, the depth job does not.
    CUDA_CHECK(cudaMemcpy2DAsync(dLuma, lumaPitch, hLuma, W, W, H, cudaMemcpyHostToDevice, sInt));
    CUDA_CHECK(cudaEventRecord(evLuma, sInt));

    CUDA_CHECK(cudaMemcpy2DAsync(dDepth, depthPitch, hDepth, W * sizeof(float), W * sizeof(float), H,
                                 cudaMemcpyHostToDevice, sDepth));
    launchMorphRow<true >(dDepth,    dDepthTmp, depthPitch, W, H, holeRadius, sDepth);
    launchMorphRow<false>(dDepthTmp, dDepth,    depthPitch, W, H, holeRadius, sDepth);
    CUDA_CHECK(cudaEventRecord(evDepth, sDepth));

    CUDA_CHECK(cudaStreamWaitEvent(sPyr, evLuma, 0));
    buildPyramid(pyr, dLuma, lumaPitch, sPyr);
    CUDA_CHECK(cudaEventRecord(evPyr, sPyr));

    buildIntegral(dLuma, lumaPitch, dIntegral, intPitch, W, H, sInt);
    CUDA_CHECK(cudaGetLastError());

    CUDA_CHECK(cudaStreamWaitEvent(sInt, evPyr, 0));
    CUDA_CHECK(cudaStreamWaitEvent(sInt, evDepth, 0));

    std::vector<unsigned int> lastRow(W);
    CUDA_CHECK(cudaMemcpyAsync(lastRow.data(),
                               reinterpret_cast<char*>(dIntegral) + (size_t)(H - 1) * intPitch,
                               W * sizeof(unsigned int), cudaMemcpyDeviceToHost, sInt));
    CUDA_CHECK(cudaStreamSynchronize(sInt));
    printf("integral(W-1,H-1) mod 2^32 = %u\n", lastRow[W - 1]);

    for (int l = 0; l < NUM_LEVELS; ++l) {
        CUDA_CHECK(cudaDestroyTextureObject(pyr.tex[l]));
        if (pyr.surf[l]) CUDA_CHECK(cudaDestroySurfaceObject(pyr.surf[l]));
        CUDA_CHECK(cudaFreeArray(pyr.level[l]));
    }
    CUDA_CHECK(cudaEventDestroy(evLuma));
    CUDA_CHECK(cudaEventDestroy(evPyr));
    CUDA_CHECK(cudaEventDestroy(evDepth));
    CUDA_CHECK(cudaStreamDestroy(sInt));
    CUDA_CHECK(cudaStreamDestroy(sPyr));
    CUDA_CHECK(cudaStreamDestroy(sDepth));
    CUDA_CHECK(cudaFree(dLuma));
    CUDA_CHECK(cudaFree(dIntegral));
    CUDA_CHECK(cudaFree(dDepth));
    CUDA_CHECK(cudaFree(dDepthTmp));
    CUDA_CHECK(cudaFreeHost(hLuma));
    CUDA_CHECK(cudaFreeHost(hDepth));
    return 0;
}

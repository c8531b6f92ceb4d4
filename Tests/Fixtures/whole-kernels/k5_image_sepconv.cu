// k5_image_sepconv.cu
//
// Separable Gaussian blur of 8-bit luma for a multi-camera rig, plus per-frame
// mean/variance for auto-exposure. Pitched device buffers, one stream per camera.
//
//   row pass    : u8  -> f32   (apron tile in shared memory, clamp-to-edge)
//   column pass : f32 -> u8    (apron tile, 4 outputs per thread)
//   stats       : u8  -> {mean, variance}

#include <cuda_runtime.h>
#include <cmath>
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

constexpr int MAX_RADIUS = 8;
__constant__ float c_gauss[2 * MAX_RADIUS + 1];

constexpr int ROW_TILE_W = 32;
constexpr int ROW_TILE_H = 8;

constexpr int COL_TILE_W    = 16;
constexpr int COL_THREADS_Y = 16;
constexpr int COL_PIX       = 4;                       // outputs per thread, stacked vertically
constexpr int COL_TILE_H    = COL_THREADS_Y * COL_PIX;
// Row stride of the column tile. Neighbouring threadIdx.y rows are COL_PIX tile rows
// apart: 4 * 20 = 80 words = 16 banks, so the two half-warps land on disjoint banks.
// (With the natural stride of 16 both half-warps hit the same 16 banks; 17 still
// overlaps 12 of them.)
constexpr int COL_SMEM_STRIDE = COL_TILE_W + 4;

constexpr int STATS_THREADS = 256;

struct FrameStats {
    float mean;
    float variance;
};

// ---------------------------------------------------------------------------
// Horizontal pass. threadIdx.x runs along x, so each warp's loads and stores
// cover one contiguous run of the row (coalesced).
// ---------------------------------------------------------------------------
template <int RADIUS>
__global__ void __launch_bounds__(ROW_TILE_W * ROW_TILE_H)
rowConvolutionKernel(const unsigned char* __restrict__ src, size_t srcPitch,
                     float* __restrict__ dst, size_t dstPitch,
                     int width, int height)
{
    __shared__ float tile[ROW_TILE_H][ROW_TILE_W + 2 * RADIUS];

    // Tile rows are walked bottom-up: the top of the image is then the most
    // recently written part of dst and is still L2-resident when the column
    // pass (which starts at row 0) reads it.
    const int tileRow = gridDim.y - 1 - blockIdx.y;
    const int x0 = blockIdx.x * ROW_TILE_W;
    const int y  = tileRow * ROW_TILE_H + threadIdx.y;
    const int yc = min(y, height - 1);

    const unsigned char* srcRow = src + (size_t)yc * srcPitch;

    // Clamp-to-edge addressing: every load is unconditional, no border branches.
    for (int i = threadIdx.x; i < ROW_TILE_W + 2 * RADIUS; i += ROW_TILE_W) {
        const int gx = min(max(x0 + i - RADIUS, 0), width - 1);
        tile[threadIdx.y][i] = (float)__ldg(srcRow + gx);
    }
    __syncthreads();

    const int x = x0 + threadIdx.x;
    if (x >= width || y >= height) return;

    float sum = 0.0f;
#pragma unroll
    for (int k = -RADIUS; k <= RADIUS; ++k)
        sum = fmaf(c_gauss[RADIUS + k], tile[threadIdx.y][threadIdx.x + RADIUS + k], sum);

    float* dstRow = reinterpret_cast<float*>(reinterpret_cast<char*>(dst) + (size_t)y * dstPitch);
    dstRow[x] = sum;
}

// ---------------------------------------------------------------------------
// Vertical pass. Each thread owns COL_PIX vertically adjacent outputs in
// registers; every tile value it reads feeds up to COL_PIX accumulators.
// ---------------------------------------------------------------------------
template <int RADIUS>
__global__ void __launch_bounds__(COL_TILE_W * COL_THREADS_Y)
columnConvolutionKernel(const float* __restrict__ src, size_t srcPitch,
                        unsigned char* __restrict__ dst, size_t dstPitch,
                        int width, int height)
{
    __shared__ float tile[COL_TILE_H + 2 * RADIUS][COL_SMEM_STRIDE];

    const int x0  = blockIdx.x * COL_TILE_W;
    const int y0  = blockIdx.y * COL_TILE_H;
    const int tid = threadIdx.y * COL_TILE_W + threadIdx.x;
    constexpr int TILE_ELEMS = (COL_TILE_H + 2 * RADIUS) * COL_TILE_W;

    for (int i = tid; i < TILE_ELEMS; i += COL_TILE_W * COL_THREADS_Y) {
        const int ty = i / COL_TILE_W;
        const int tx = i - ty * COL_TILE_W;
        const int gx = min(x0 + tx, width - 1);
        const int gy = min(max(y0 + ty - RADIUS, 0), height - 1);
        const float* row = reinterpret_cast<const float*>(
            reinterpret_cast<const char*>(src) + (size_t)gy * srcPitch);
        tile[ty][tx] = row[gx];
    }
    __syncthreads();

    float acc[COL_PIX];
#pragma unroll
    for (int j = 0; j < COL_PIX; ++j) acc[j] = 0.0f;

    const int base = threadIdx.y * COL_PIX;
#pragma unroll
    for (int i = 0; i < COL_PIX + 2 * RADIUS; ++i) {
        const float v = tile[base + i][threadIdx.x];
#pragma unroll
        for (int j = 0; j < COL_PIX; ++j) {
            const int k = i - j;                    // tap index; folds at compile time
            if (k >= 0 && k <= 2 * RADIUS)
                acc[j] = fmaf(c_gauss[k], v, acc[j]);
        }
    }

    const int x = x0 + threadIdx.x;
    if (x >= width) return;
#pragma unroll
    for (int j = 0; j < COL_PIX; ++j) {
        const int y = y0 + base + j;
        if (y < height)
            dst[(size_t)y * dstPitch + x] =
                (unsigned char)__float2uint_rn(fminf(fmaxf(acc[j], 0.0f), 255.0f));
    }
}

// ---------------------------------------------------------------------------
// Frame statistics
// ---------------------------------------------------------------------------
__device__ __forceinline__ float warpSum(float v)
{
#pragma unroll
    for (int off = 16; off > 0; off >>= 1)
        v += __shfl_down_sync(0xffffffffu, v, off);
    return v;
}

// Mean / variance in one pass (var = E[x^2] - E[x]^2).
// Deterministic on purpose: each block writes its partial to its own slot and the
// last block to arrive adds the slots in index order, so the AE loop sees the same
// number for the same frame regardless of block completion order. No float atomics.
__global__ void __launch_bounds__(STATS_THREADS)
frameStatsKernel(const unsigned char* __restrict__ img, size_t pitch,
                 int width, int height,
                 float2* __restrict__ partials,
                 unsigned int* __restrict__ arrivalCounter,
                 FrameStats* __restrict__ out)
{
    __shared__ float2 warpPartials[STATS_THREADS / 32];
    __shared__ bool isLastBlock;

    float s = 0.0f, ss = 0.0f;
    for (int y = blockIdx.y * blockDim.y + threadIdx.y; y < height; y += gridDim.y * blockDim.y) {
        const unsigned char* row = img + (size_t)y * pitch;
        for (int x = blockIdx.x * blockDim.x + threadIdx.x; x < width; x += gridDim.x * blockDim.x) {
            const float v = (float)row[x];
            s += v;
            ss = fmaf(v, v, ss);
        }
    }

    const int tid  = threadIdx.y * blockDim.x + threadIdx.x;
    const int lane = tid & 31;
    const int warp = tid >> 5;
    const unsigned int numBlocks = gridDim.x * gridDim.y;

    s  = warpSum(s);
    ss = warpSum(ss);
    if (lane == 0) warpPartials[warp] = make_float2(s, ss);
    __syncthreads();

    if (warp == 0) {
        float2 p = (lane < STATS_THREADS / 32) ? warpPartials[lane] : make_float2(0.0f, 0.0f);
        p.x = warpSum(p.x);
        p.y = warpSum(p.y);
        if (lane == 0) {
            partials[blockIdx.y * gridDim.x + blockIdx.x] = p;
            __threadfence();
            // atomicInc wraps back to 0 after the last ticket: the counter re-arms itself.
            const unsigned int ticket = atomicInc(arrivalCounter, numBlocks - 1);
            isLastBlock = (ticket == numBlocks - 1);
        }
    }
    __syncthreads();
    if (!isLastBlock) return;

    float2 acc = make_float2(0.0f, 0.0f);
    for (unsigned int i = tid; i < numBlocks; i += STATS_THREADS) {
        const float2 p = __ldcg(&partials[i]);     // written by other SMs: read from L2
        acc.x += p.x;
        acc.y += p.y;
    }
    acc.x = warpSum(acc.x);
    acc.y = warpSum(acc.y);
    if (lane == 0) warpPartials[warp] = acc;
    __syncthreads();

    if (tid == 0) {
        float S = 0.0f, SS = 0.0f;
        for (int w = 0; w < STATS_THREADS / 32; ++w) {
            S  += warpPartials[w].x;
            SS += warpPartials[w].y;
        }
        const float invN = 1.0f / (float(width) * float(height));
        const float mean = S * invN;
        out->mean     = mean;
        out->variance = fmaxf(SS * invN - mean * mean, 0.0f);
    }
}

// ---------------------------------------------------------------------------
// Host
// ---------------------------------------------------------------------------
struct CameraPipeline {
    cudaStream_t   stream;
    unsigned char* hIn;        // pinned
    unsigned char* hOut;       // pinned
    FrameStats*    hStats;     // pinned
    unsigned char* dIn;   size_t inPitch;
    float*         dTmp;  size_t tmpPitch;
    unsigned char* dOut;  size_t outPitch;
    float2*        dPartials;
    unsigned int*  dCounter;
    FrameStats*    dStats;
};

static const dim3 kStatsBlock(32, STATS_THREADS / 32);
static const dim3 kStatsGrid(8, 16);

static void uploadGaussian(float sigma, int radius)
{
    float w[2 * MAX_RADIUS + 1];
    float norm = 0.0f;
    for (int i = -radius; i <= radius; ++i) {
        w[i + radius] = std::exp(-0.5f * i * i / (sigma * sigma));
        norm += w[i + radius];
    }
    for (int i = 0; i < 2 * radius + 1; ++i) w[i] /= norm;
    CUDA_CHECK(cudaMemcpyToSymbol(c_gauss, w, sizeof(float) * (2 * radius + 1)));
}

template <int R>
static void launchBlur(const CameraPipeline& cam, int width, int height)
{
    const dim3 rowBlock(ROW_TILE_W, ROW_TILE_H);
    const dim3 rowGrid((width + ROW_TILE_W - 1) / ROW_TILE_W,
                       (height + ROW_TILE_H - 1) / ROW_TILE_H);
    rowConvolutionKernel<R><<<rowGrid, rowBlock, 0, cam.stream>>>(
        cam.dIn, cam.inPitch, cam.dTmp, cam.tmpPitch, width, height);

    const dim3 colBlock(COL_TILE_W, COL_THREADS_Y);
    const dim3 colGrid((width + COL_TILE_W - 1) / COL_TILE_W,
                       (height + COL_TILE_H - 1) / COL_TILE_H);
    columnConvolutionKernel<R><<<colGrid, colBlock, 0, cam.stream>>>(
        cam.dTmp, cam.tmpPitch, cam.dOut, cam.outPitch, width, height);
}

static void blurFrame(const CameraPipeline& cam, int width, int height, int radius)
{
    switch (radius) {
        case 2: launchBlur<2>(cam, width, height); break;
        case 4: launchBlur<4>(cam, width, height); break;
        case 6: launchBlur<6>(cam, width, height); break;
        case 8: launchBlur<8>(cam, width, height); break;
        default:
            fprintf(stderr, "unsupported radius %d\n", radius);
            exit(EXIT_FAILURE);
    }
}

static void synthesizeFrame(unsigned char* dst, int width, int height, int cam, int frame)
{
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            dst[(size_t)y * width + x] =
                (unsigned char)((x * 3 + y * 5 + cam * 37 + frame * 11) & 0xFF);
}

int main(int argc, char** argv)
{
    const int   numCameras = argc > 1 ? atoi(argv[1]) : 4;
    const int   width      = 1920;
    const int   height     = 1080;
    const int   numFrames  = 60;
    const float sigma      = 1.6f;
    const int   radius     = 4;

    uploadGaussian(sigma, radius);

    std::vector<CameraPipeline> cams(numCameras);
    const size_t frameBytes = (size_t)width * height;
    for (auto& c : cams) {
        CUDA_CHECK(cudaStreamCreateWithFlags(&c.stream, cudaStreamNonBlocking));
        CUDA_CHECK(cudaHostAlloc(&c.hIn,    frameBytes, cudaHostAllocWriteCombined));
        CUDA_CHECK(cudaHostAlloc(&c.hOut,   frameBytes, cudaHostAllocDefault));
        CUDA_CHECK(cudaHostAlloc(&c.hStats, sizeof(FrameStats), cudaHostAllocDefault));
        CUDA_CHECK(cudaMallocPitch(&c.dIn,  &c.inPitch,  width, height));
        CUDA_CHECK(cudaMallocPitch(&c.dTmp, &c.tmpPitch, width * sizeof(float), height));
        CUDA_CHECK(cudaMallocPitch(&c.dOut, &c.outPitch, width, height));
        CUDA_CHECK(cudaMalloc(&c.dPartials, sizeof(float2) * kStatsGrid.x * kStatsGrid.y));
        CUDA_CHECK(cudaMalloc(&c.dCounter, sizeof(unsigned int)));
        CUDA_CHECK(cudaMemset(c.dCounter, 0, sizeof(unsigned int)));
        CUDA_CHECK(cudaMalloc(&c.dStats, sizeof(FrameStats)));
    }

    for (int f = 0; f < numFrames; ++f) {
        for (int ci = 0; ci < numCameras; ++ci) {
            CameraPipeline& c = cams[ci];
            // Wait only for this camera's previous frame; the other cameras keep running
            // while the host fills this camera's staging buffer.
            CUDA_CHECK(cudaStreamSynchronize(c.stream));
            if (f > 0 && ci == 0)
                printf("frame %3d cam0 mean %.2f var %.2f\n", f - 1, c.hStats->mean, c.hStats->variance);
            synthesizeFrame(c.hIn, width, height, ci, f);

            CUDA_CHECK(cudaMemcpy2DAsync(c.dIn, c.inPitch, c.hIn, width, width, height,
                                         cudaMemcpyHostToDevice, c.stream));
            blurFrame(c, width, height, radius);
            frameStatsKernel<<<kStatsGrid, kStatsBlock, 0, c.stream>>>(
                c.dOut, c.outPitch, width, height, c.dPartials, c.dCounter, c.dStats);
            CUDA_CHECK(cudaGetLastError());
            CUDA_CHECK(cudaMemcpy2DAsync(c.hOut, width, c.dOut, c.outPitch, width, height,
                                         cudaMemcpyDeviceToHost, c.stream));
            CUDA_CHECK(cudaMemcpyAsync(c.hStats, c.dStats, sizeof(FrameStats),
                                       cudaMemcpyDeviceToHost, c.stream));
        }
    }
    CUDA_CHECK(cudaDeviceSynchronize());

    for (auto& c : cams) {
        CUDA_CHECK(cudaFree(c.dIn));
        CUDA_CHECK(cudaFree(c.dTmp));
        CUDA_CHECK(cudaFree(c.dOut));
        CUDA_CHECK(cudaFree(c.dPartials));
        CUDA_CHECK(cudaFree(c.dCounter));
        CUDA_CHECK(cudaFree(c.dStats));
        CUDA_CHECK(cudaFreeHost(c.hIn));
        CUDA_CHECK(cudaFreeHost(c.hOut));
        CUDA_CHECK(cudaFreeHost(c.hStats));
        CUDA_CHECK(cudaStreamDestroy(c.stream));
    }
    return 0;
}

// histogram_privatized.cu -- 256-bin byte histogram, three strategies:
//   hist256_persistent   : per-block smem histogram, persistent grid
//   hist256_lastblock_cdf: per-block partial histograms, last block sums
//                          them and emits the normalised CDF
//   hist256_cluster_dsm  : sm_90 thread-block cluster, one histogram per
//                          cluster in distributed shared memory
#include <cuda_runtime.h>
#include <cooperative_groups.h>
#include <cstdio>
#include <cstdlib>
#include <cstdint>

namespace cg = cooperative_groups;

#define NBINS 256
#define HIST_BLOCK 512
#define LOADS_IN_FLIGHT 4
#define CLUSTER_SIZE 2

#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { \
    fprintf(stderr, "%s @ %s:%d\n", cudaGetErrorString(e), __FILE__, __LINE__); exit(1); } } while (0)

__device__ __forceinline__ void count_word(unsigned* s_hist, unsigned w)
{
    atomicAdd(&s_hist[(w      ) & 0xffu], 1u);
    atomicAdd(&s_hist[(w >>  8) & 0xffu], 1u);
    atomicAdd(&s_hist[(w >> 16) & 0xffu], 1u);
    atomicAdd(&s_hist[(w >> 24)        ], 1u);
}

// Grid is sized to fill the machine once (see host); each block walks the
// input with a grid stride. LOADS_IN_FLIGHT independent 16-byte loads are
// issued back to back before any of them is consumed, so several misses
// are outstanding per thread.
__global__ void __launch_bounds__(HIST_BLOCK)
hist256_persistent(const uint8_t* __restrict__ data, size_t n, unsigned* __restrict__ hist)
{
    __shared__ unsigned s_hist[NBINS];
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) s_hist[b] = 0u;
    __syncthreads();

    const uint4* __restrict__ data16 = reinterpret_cast<const uint4*>(data);
    const size_t n16 = n / 16;
    const size_t stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;

    for (; i + (LOADS_IN_FLIGHT - 1) * stride < n16; i += LOADS_IN_FLIGHT * stride) {
        uint4 v[LOADS_IN_FLIGHT];
#pragma unroll
        for (int k = 0; k < LOADS_IN_FLIGHT; ++k) v[k] = data16[i + k * stride];
#pragma unroll
        for (int k = 0; k < LOADS_IN_FLIGHT; ++k) {
            count_word(s_hist, v[k].x); count_word(s_hist, v[k].y);
            count_word(s_hist, v[k].z); count_word(s_hist, v[k].w);
        }
    }
    for (; i < n16; i += stride) {
        uint4 v = data16[i];
        count_word(s_hist, v.x); count_word(s_hist, v.y);
        count_word(s_hist, v.z); count_word(s_hist, v.w);
    }
    // tail bytes that do not fill a uint4
    for (size_t t = n16 * 16 + (size_t)blockIdx.x * blockDim.x + threadIdx.x; t < n; t += stride)
        atomicAdd(&s_hist[data[t]], 1u);
    __syncthreads();

    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) {
        const unsigned c = s_hist[b];
        if (c) atomicAdd(&hist[b], c);
    }
}

// Every block handles four interleaved byte streams (quarter q of the input
// for q = 0..3). Block partials are written without atomics; the last block
// to arrive adds them up and writes the CDF.
__global__ void hist256_lastblock_cdf(const uint8_t* __restrict__ data, int n,
                                      unsigned* __restrict__ partials, unsigned* __restrict__ doneCount,
                                      float* __restrict__ cdf)
{
    __shared__ unsigned s_hist[NBINS];
    __shared__ bool s_isLast;
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) s_hist[b] = 0u;
    __syncthreads();

    const int q = n / 4;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < q; i += blockDim.x * gridDim.x) {
        uchar4 c = make_uchar4(data[i], data[i + q], data[i + 2 * q], data[i + 3 * q]);
        atomicAdd(&s_hist[c.x], 1u);
        atomicAdd(&s_hist[c.y], 1u);
        atomicAdd(&s_hist[c.z], 1u);
        atomicAdd(&s_hist[c.w], 1u);
    }
    if (blockIdx.x == 0 && (int)threadIdx.x < n - 4 * q) atomicAdd(&s_hist[data[4 * q + threadIdx.x]], 1u);
    __syncthreads();

    for (int b = threadIdx.x; b < NBINS; b += blockDim.x)
        partials[blockIdx.x * NBINS + b] = s_hist[b];
    __threadfence();   // partials visible device-wide before the ticket
    __syncthreads();
    if (threadIdx.x == 0) {
        const unsigned ticket = atomicInc(doneCount, gridDim.x);   // wraps to 0 for the next launch
        s_isLast = (ticket == gridDim.x - 1);
    }
    __syncthreads();
    if (!s_isLast) return;

    // last block: column sums over all block partials
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) {
        unsigned total = 0u;
        for (int blk = 0; blk < (int)gridDim.x; ++blk) total += partials[blk * NBINS + b];
        s_hist[b] = total;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        unsigned run = 0u;
        const float inv = 1.0f / (float)n;
        for (int b = 0; b < NBINS; ++b) { run += s_hist[b]; cdf[b] = run * inv; }
    }
}

// sm_90: CLUSTER_SIZE blocks share one histogram. Bin b lives in the shared
// memory of block (b % CLUSTER_SIZE); remote increments go through DSM.
// Launched with a cluster-dimension launch attribute (see host).
__global__ void hist256_cluster_dsm(const uint8_t* __restrict__ data, int n, unsigned* __restrict__ hist)
{
#if defined(__CUDA_ARCH__) && (__CUDA_ARCH__ >= 900)
    extern __shared__ unsigned s_part[];              // NBINS / CLUSTER_SIZE entries
    cg::cluster_group cluster = cg::this_cluster();
    const unsigned rank = cluster.block_rank();
    const int binsPerBlock = NBINS / CLUSTER_SIZE;

    for (int b = threadIdx.x; b < binsPerBlock; b += blockDim.x) s_part[b] = 0u;
    cluster.sync();                                   // all slices zeroed before remote adds

    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        const int bin = data[i];
        const unsigned owner = bin % CLUSTER_SIZE;
        unsigned* dst = cluster.map_shared_rank(s_part, owner);
        atomicAdd(dst + bin / CLUSTER_SIZE, 1u);
    }
    cluster.sync();                                   // no block may exit while others write into it

    for (int b = threadIdx.x; b < binsPerBlock; b += blockDim.x) {
        const unsigned c = s_part[b];
        if (c) atomicAdd(&hist[b * CLUSTER_SIZE + rank], c);
    }
#else
    (void)data; (void)n; (void)hist;
#endif
}

int main()
{
    const size_t n = (size_t)64 << 20;
    uint8_t* h = (uint8_t*)malloc(n);
    for (size_t i = 0; i < n; ++i) h[i] = (uint8_t)((i * 2654435761u) >> 13);

    int dev = 0;
    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, dev));

    uint8_t* d_data;
    unsigned *d_hist, *d_partials, *d_done;
    float* d_cdf;
    CK(cudaMalloc(&d_data, n));
    CK(cudaMalloc(&d_hist, NBINS * sizeof(unsigned)));
    CK(cudaMalloc(&d_cdf, NBINS * sizeof(float)));
    CK(cudaMalloc(&d_done, sizeof(unsigned)));
    CK(cudaMemcpy(d_data, h, n, cudaMemcpyHostToDevice));   // cudaMalloc -> 256B aligned for uint4
    CK(cudaMemset(d_hist, 0, NBINS * sizeof(unsigned)));
    CK(cudaMemset(d_done, 0, sizeof(unsigned)));

    // 1) persistent: as many blocks as can be co-resident, no more
    int blocksPerSM = 0;
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocksPerSM, hist256_persistent, HIST_BLOCK, 0));
    const int persistentGrid = prop.multiProcessorCount * blocksPerSM;
    hist256_persistent<<<persistentGrid, HIST_BLOCK>>>(d_data, n, d_hist);

    // 2) partials + last block (the int-sized variant handles the first 2^30 bytes)
    const int nInt = (int)(n < (size_t)(1 << 30) ? n : (size_t)(1 << 30));
    const int lbGrid = 4 * prop.multiProcessorCount;
    CK(cudaMalloc(&d_partials, (size_t)lbGrid * NBINS * sizeof(unsigned)));
    hist256_lastblock_cdf<<<lbGrid, 256>>>(d_data, nInt, d_partials, d_done, d_cdf);

    // 3) cluster / DSM variant on Hopper and newer
    if (prop.major >= 9) {
        unsigned* d_hist2;
        CK(cudaMalloc(&d_hist2, NBINS * sizeof(unsigned)));
        CK(cudaMemset(d_hist2, 0, NBINS * sizeof(unsigned)));
        const int cgrid = 8 * prop.multiProcessorCount;   // multiple of CLUSTER_SIZE
        cudaLaunchConfig_t cfg = {};
        cfg.gridDim = dim3(cgrid);
        cfg.blockDim = dim3(256);
        cfg.dynamicSmemBytes = (NBINS / CLUSTER_SIZE) * sizeof(unsigned);
        cfg.stream = 0;
        cudaLaunchAttribute attr[1];
        attr[0].id = cudaLaunchAttributeClusterDimension;
        attr[0].val.clusterDim.x = CLUSTER_SIZE;
        attr[0].val.clusterDim.y = 1;
        attr[0].val.clusterDim.z = 1;
        cfg.attrs = attr;
        cfg.numAttrs = 1;
        CK(cudaLaunchKernelEx(&cfg, hist256_cluster_dsm, (const uint8_t*)d_data, nInt, d_hist2));
        CK(cudaGetLastError());
        CK(cudaDeviceSynchronize());
        cudaFree(d_hist2);
    }
    CK(cudaDeviceSynchronize());

    unsigned hh[NBINS];
    float hc[NBINS];
    CK(cudaMemcpy(hh, d_hist, sizeof(hh), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(hc, d_cdf, sizeof(hc), cudaMemcpyDeviceToHost));
    unsigned long long tot = 0;
    for (int b = 0; b < NBINS; ++b) tot += hh[b];
    printf("total=%llu (n=%zu)  cdf[127]=%.4f cdf[255]=%.4f\n", tot, n, hc[127], hc[255]);

    cudaFree(d_data); cudaFree(d_hist); cudaFree(d_partials); cudaFree(d_done); cudaFree(d_cdf);
    free(h);
    return 0;
}

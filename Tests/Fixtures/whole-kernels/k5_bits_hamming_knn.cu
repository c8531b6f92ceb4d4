// Brute-force Hamming k-NN over 256-bit binary descriptors (ORB/BRIEF style).
//   desc_aos_to_soa_kernel     re-layout of the database, word-major
//   hamming_chunk_nn_kernel<QT>  best match per (query, database chunk)
//   bitonic_sort_segments_kernel<N>  sorts each query's chunk winners -> shortlist
//   distance_cdf_kernel        distribution of best distances, quantile cutoff
//
//   nvcc -O3 -arch=sm_80 -std=c++17 k5_bits_hamming_knn.cu -o hamknn

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <vector>
#include <cuda_runtime.h>

#define CK(x)                                                                         \
    do {                                                                              \
        cudaError_t st_ = (x);                                                        \
        if (st_ != cudaSuccess) {                                                     \
            fprintf(stderr, "%s:%d %s\n", __FILE__, __LINE__, cudaGetErrorString(st_)); \
            std::exit(1);                                                             \
        }                                                                             \
    } while (0)

typedef unsigned long long u64;
constexpr int DESC_WORDS = 4;          // 256 bits
constexpr int NDIST = 257;             // distances 0..256

// ---------------------------------------------------------------------------
// AoS [n][4] -> SoA [4][n], 32 descriptors per 128-thread block. Both the read
// (thread -> consecutive word) and the write (lane -> consecutive descriptor)
// are contiguous per warp.
// ---------------------------------------------------------------------------
__global__ void __launch_bounds__(128)
desc_aos_to_soa_kernel(const u64* __restrict__ aos, u64* __restrict__ soa, int n)
{
    // row stride 5 words (odd, 40 B): the column read below hits 16 distinct
    // bank pairs per half-warp; with stride 4 it would be a 4-way conflict
    __shared__ u64 tile[32][DESC_WORDS + 1];
    const int base = blockIdx.x * 32;
    const int t = threadIdx.x;

    {
        const int d = t >> 2, w = t & 3;
        tile[d][w] = (base + d < n) ? aos[(size_t)(base + d) * DESC_WORDS + w] : 0ull;
    }
    __syncthreads();
    {
        const int d = t & 31, w = t >> 5;
        if (base + d < n) soa[(size_t)w * n + base + d] = tile[d][w];
    }
}

// ---------------------------------------------------------------------------
// grid.x: tiles of QT queries (staged in shared memory, read by every thread)
// grid.y: database chunks. Each thread walks its chunk with a block stride and
// keeps a running best per query; keys are (distance << 32 | index) so min()
// also breaks ties by index. The database is word-major so that each of the
// four loads below is a contiguous 256-byte access per warp.
// ---------------------------------------------------------------------------
template <int QT>
__global__ void __launch_bounds__(256, 2)
hamming_chunk_nn_kernel(const uint4* __restrict__ queries,   // 2 x uint4 per query
                        const u64* __restrict__ db_soa, int nd, int chunk_len, int nq,
                        u64* __restrict__ cand, int cand_stride)
{
    __shared__ __align__(16) u64 s_q[QT][DESC_WORDS];
    __shared__ u64 s_part[QT][8];

    const int q0 = blockIdx.x * QT;
    if (threadIdx.x < QT * 2) {
        const int qq = threadIdx.x >> 1, half = threadIdx.x & 1;
        uint4 v = make_uint4(0u, 0u, 0u, 0u);
        if (q0 + qq < nq) v = queries[(size_t)(q0 + qq) * 2 + half];
        reinterpret_cast<uint4*>(&s_q[qq][0])[half] = v;
    }
    __syncthreads();

    const int d_begin = blockIdx.y * chunk_len;
    const int d_end = min(nd, d_begin + chunk_len);

    u64 best[QT];
#pragma unroll
    for (int q = 0; q < QT; ++q) best[q] = ~0ull;

    for (int i = d_begin + threadIdx.x; i < d_end; i += blockDim.x) {
        const u64 d0 = __ldg(db_soa + i);
        const u64 d1 = __ldg(db_soa + (size_t)nd + i);
        const u64 d2 = __ldg(db_soa + 2 * (size_t)nd + i);
        const u64 d3 = __ldg(db_soa + 3 * (size_t)nd + i);
#pragma unroll
        for (int q = 0; q < QT; ++q) {
            const unsigned dist = __popcll(d0 ^ s_q[q][0]) + __popcll(d1 ^ s_q[q][1]) +
                                  __popcll(d2 ^ s_q[q][2]) + __popcll(d3 ^ s_q[q][3]);
            best[q] = min(best[q], ((u64)dist << 32) | (unsigned)i);
        }
    }

    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
#pragma unroll
    for (int q = 0; q < QT; ++q) {
        u64 v = best[q];
#pragma unroll
        for (int off = 16; off > 0; off >>= 1) v = min(v, __shfl_xor_sync(0xffffffffu, v, off));
        if (lane == 0) s_part[q][wid] = v;
    }
    __syncthreads();

    if (threadIdx.x < QT && q0 + threadIdx.x < nq) {
        u64 v = ~0ull;
        for (int w = 0; w < (int)(blockDim.x >> 5); ++w) v = min(v, s_part[threadIdx.x][w]);
        cand[(size_t)(q0 + threadIdx.x) * cand_stride + blockIdx.y] = v;
    }
}

// ---------------------------------------------------------------------------
// One block sorts one query's N candidate keys (ascending) in shared memory and
// writes them back over the input. N/2 threads, one compare-exchange each per step.
// ---------------------------------------------------------------------------
template <int N>
__global__ void __launch_bounds__(N / 2)
bitonic_sort_segments_kernel(u64* __restrict__ keys)
{
    __shared__ __align__(16) u64 s_keys[N];
    u64* seg = keys + (size_t)blockIdx.x * N;
    const int t = threadIdx.x;

    reinterpret_cast<uint4*>(s_keys)[t] = reinterpret_cast<const uint4*>(seg)[t];
    __syncthreads();

#pragma unroll
    for (int k = 2; k <= N; k <<= 1) {
#pragma unroll
        for (int j = k >> 1; j > 0; j >>= 1) {
            const int i = 2 * t - (t & (j - 1));
            const int l = i + j;
            const bool up = (i & k) == 0;
            const u64 a = s_keys[i], b = s_keys[l];
            if ((a > b) == up) { s_keys[i] = b; s_keys[l] = a; }
            __syncthreads();
        }
    }

    reinterpret_cast<uint4*>(seg)[t] = reinterpret_cast<const uint4*>(s_keys)[t];
}

// ---------------------------------------------------------------------------
// Histogram of best distances. Blocks publish their shared-memory histogram,
// take a ticket, and the last block to arrive builds the CDF and the cutoff.
// ---------------------------------------------------------------------------
__global__ void distance_cdf_kernel(const u64* __restrict__ sorted_cand, int cand_stride, int nq,
                                    unsigned* __restrict__ block_hist, unsigned* __restrict__ ticket,
                                    float quantile, unsigned* __restrict__ cdf, int* __restrict__ cutoff)
{
    __shared__ unsigned s_hist[NDIST];
    __shared__ bool s_is_last;

    for (int b = threadIdx.x; b < NDIST; b += blockDim.x) s_hist[b] = 0u;
    __syncthreads();

    for (int q = blockIdx.x * blockDim.x + threadIdx.x; q < nq; q += gridDim.x * blockDim.x) {
        const unsigned d = (unsigned)(sorted_cand[(size_t)q * cand_stride] >> 32);
        atomicAdd(&s_hist[min(d, (unsigned)(NDIST - 1))], 1u);
    }
    __syncthreads();

    for (int b = threadIdx.x; b < NDIST; b += blockDim.x)
        block_hist[(size_t)blockIdx.x * NDIST + b] = s_hist[b];
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) s_is_last = atomicInc(ticket, gridDim.x - 1) == gridDim.x - 1;
    __syncthreads();
    if (!s_is_last) return;

    for (int b = threadIdx.x; b < NDIST; b += blockDim.x) {
        unsigned sum = 0;
        for (int blk = 0; blk < (int)gridDim.x; ++blk) sum += __ldcg(block_hist + (size_t)blk * NDIST + b);
        s_hist[b] = sum;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        const unsigned target = (unsigned)(quantile * (float)nq);
        unsigned run = 0;
        int cut = NDIST - 1;
        bool found = false;
        for (int b = 0; b < NDIST; ++b) {
            run += s_hist[b];
            cdf[b] = run;
            if (!found && run >= target) { cut = b; found = true; }
        }
        *cutoff = cut;
    }
}

// ---------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------
static inline u64 splitmix(u64& s)
{
    u64 z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int main(int argc, char** argv)
{
    const int nq = argc > 1 ? atoi(argv[1]) : 8192;
    const int nd = argc > 2 ? atoi(argv[2]) : (1 << 21);
    constexpr int QT = 8;
    constexpr int NCAND = 256;                        // chunks per query == sort width
    const int chunk_len = (nd + NCAND - 1) / NCAND;
    const int n_chunks = (nd + chunk_len - 1) / chunk_len;

    std::vector<u64> h_db((size_t)nd * DESC_WORDS), h_q((size_t)nq * DESC_WORDS);
    u64 seed = 7;
    for (auto& w : h_db) w = splitmix(seed);
    for (int q = 0; q < nq; ++q) {                    // each query is a noisy copy of some db entry
        const size_t src = splitmix(seed) % nd;
        for (int w = 0; w < DESC_WORDS; ++w) {
            u64 noise = splitmix(seed) & splitmix(seed) & splitmix(seed) & splitmix(seed);
            h_q[(size_t)q * DESC_WORDS + w] = h_db[src * DESC_WORDS + w] ^ noise;
        }
    }

    cudaStream_t upload;
    CK(cudaStreamCreate(&upload));

    u64 *d_db_aos, *d_db_soa, *d_q, *d_cand;
    unsigned *d_block_hist, *d_ticket, *d_cdf;
    int* d_cutoff;
    CK(cudaMalloc(&d_db_aos, h_db.size() * sizeof(u64)));
    CK(cudaMalloc(&d_db_soa, h_db.size() * sizeof(u64)));
    CK(cudaMalloc(&d_q, h_q.size() * sizeof(u64)));
    CK(cudaMalloc(&d_cand, (size_t)nq * NCAND * sizeof(u64)));
    CK(cudaMemcpyAsync(d_db_aos, h_db.data(), h_db.size() * sizeof(u64), cudaMemcpyHostToDevice, upload));
    CK(cudaMemcpyAsync(d_q, h_q.data(), h_q.size() * sizeof(u64), cudaMemcpyHostToDevice, upload));
    CK(cudaStreamSynchronize(upload));
    CK(cudaMemset(d_cand, 0xff, (size_t)nq * NCAND * sizeof(u64)));   // unused slots sort last

    desc_aos_to_soa_kernel<<<(nd + 31) / 32, 128>>>(d_db_aos, d_db_soa, nd);
    CK(cudaGetLastError());

    dim3 grid_nn((nq + QT - 1) / QT, n_chunks);
    hamming_chunk_nn_kernel<QT><<<grid_nn, 256>>>(reinterpret_cast<const uint4*>(d_q), d_db_soa, nd,
                                                  chunk_len, nq, d_cand, NCAND);
    CK(cudaGetLastError());

    bitonic_sort_segments_kernel<NCAND><<<nq, NCAND / 2>>>(d_cand);
    CK(cudaGetLastError());

    int cdf_blocks = (nq + 255) / 256;
    cdf_blocks = cdf_blocks > 64 ? 64 : cdf_blocks;
    CK(cudaMalloc(&d_block_hist, (size_t)cdf_blocks * NDIST * sizeof(unsigned)));
    CK(cudaMalloc(&d_ticket, sizeof(unsigned)));
    CK(cudaMalloc(&d_cdf, NDIST * sizeof(unsigned)));
    CK(cudaMalloc(&d_cutoff, sizeof(int)));
    CK(cudaMemset(d_ticket, 0, sizeof(unsigned)));
    distance_cdf_kernel<<<cdf_blocks, 256>>>(d_cand, NCAND, nq, d_block_hist, d_ticket, 0.95f, d_cdf, d_cutoff);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());

    int cutoff = -1;
    std::vector<u64> shortlist(8);
    CK(cudaMemcpy(&cutoff, d_cutoff, sizeof(int), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(shortlist.data(), d_cand, shortlist.size() * sizeof(u64), cudaMemcpyDeviceToHost));
    printf("nq=%d nd=%d chunks=%d  95%% of queries have a match within %d bits\n", nq, nd, n_chunks, cutoff);
    printf("query 0 shortlist:");
    for (u64 k : shortlist) printf(" %u@%u", (unsigned)(k >> 32), (unsigned)k);
    printf("\n");

    CK(cudaStreamDestroy(upload));
    cudaFree(d_db_aos); cudaFree(d_db_soa); cudaFree(d_q); cudaFree(d_cand);
    cudaFree(d_block_hist); cudaFree(d_ticket); cudaFree(d_cdf); cudaFree(d_cutoff);
    return 0;
}

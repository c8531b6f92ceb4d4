// scan_primitives.cu -- prefix-sum building blocks for an LSD radix sort.
//   * blelloch_scan_block      : work-efficient exclusive scan (GPU Gems 3 ch.39)
//   * add_block_offsets        : uniform add of scanned block sums
//   * radix_digit_hist<BITS>   : per-block digit counts for one radix pass
//   * decoupled_lookback_scan  : single-pass inclusive scan (chained tiles)
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK(x) do { cudaError_t err__ = (x); if (err__ != cudaSuccess) { \
    fprintf(stderr, "CUDA: %s (%s:%d)\n", cudaGetErrorString(err__), __FILE__, __LINE__); exit(1); } } while (0)

#define NUM_BANKS 32
#define LOG_NUM_BANKS 5
// pad one word every NUM_BANKS words so the strided tree accesses of the
// up/down sweeps land in different banks
#define CONFLICT_FREE_OFFSET(n) ((n) >> LOG_NUM_BANKS)

#define SCAN_THREADS 256                 // each thread owns 2 elements
#define HIST_THREADS 256
#define HIST_ITEMS 8
#define LB_THREADS 512
#define LB_WARPS (LB_THREADS / 32)

#define FLAG_INVALID   0u
#define FLAG_AGGREGATE 1u
#define FLAG_PREFIX    2u

__global__ void blelloch_scan_block(const unsigned* __restrict__ in, unsigned* __restrict__ out,
                                    unsigned* __restrict__ blockSums, int n)
{
    extern __shared__ unsigned temp[];   // 2*blockDim.x + padding words
    const int thid = threadIdx.x;
    const int N = 2 * blockDim.x;
    const int base = blockIdx.x * N;
    const int ai = thid;
    const int bi = thid + blockDim.x;
    const int bankOffsetA = CONFLICT_FREE_OFFSET(ai);
    const int bankOffsetB = CONFLICT_FREE_OFFSET(bi);
    temp[ai + bankOffsetA] = (base + ai < n) ? in[base + ai] : 0u;
    temp[bi + bankOffsetB] = (base + bi < n) ? in[base + bi] : 0u;

    int offset = 1;
    for (int d = N >> 1; d > 0; d >>= 1) {          // up-sweep
        __syncthreads();
        if (thid < d) {
            int a = offset * (2 * thid + 1) - 1;
            int b = offset * (2 * thid + 2) - 1;
            a += CONFLICT_FREE_OFFSET(a);
            b += CONFLICT_FREE_OFFSET(b);
            temp[b] += temp[a];
        }
        offset <<= 1;
    }
    if (thid == 0) {
        const int last = N - 1 + CONFLICT_FREE_OFFSET(N - 1);
        if (blockSums) blockSums[blockIdx.x] = temp[last];
        temp[last] = 0u;
    }
    for (int d = 1; d < N; d <<= 1) {               // down-sweep
        offset >>= 1;
        __syncthreads();
        if (thid < d) {
            int a = offset * (2 * thid + 1) - 1;
            int b = offset * (2 * thid + 2) - 1;
            a += CONFLICT_FREE_OFFSET(a);
            b += CONFLICT_FREE_OFFSET(b);
            unsigned t = temp[a];
            temp[a] = temp[b];
            temp[b] += t;
        }
    }
    __syncthreads();
    if (base + ai < n) out[base + ai] = temp[ai + bankOffsetA];
    if (base + bi < n) out[base + bi] = temp[bi + bankOffsetB];
}

__global__ void add_block_offsets(unsigned* __restrict__ data, const unsigned* __restrict__ offsets, int n)
{
    const unsigned off = offsets[blockIdx.x];
    const int i = blockIdx.x * 2 * blockDim.x + threadIdx.x;
    if (i < n) data[i] += off;
    if (i + blockDim.x < n) data[i + blockDim.x] += off;
}

// Digit-major output hist[digit * gridDim.x + block]: an exclusive scan of
// the whole array gives every (digit, block) its global scatter offset.
template <int RADIX_BITS>
__global__ void radix_digit_hist(const unsigned* __restrict__ keys, unsigned* __restrict__ hist,
                                 int n, int shift)
{
    constexpr int RADIX = 1 << RADIX_BITS;
    constexpr unsigned MASK = RADIX - 1;
    __shared__ unsigned s_cnt[RADIX];
    for (int d = threadIdx.x; d < RADIX; d += blockDim.x) s_cnt[d] = 0u;
    __syncthreads();

    const int tileStart = blockIdx.x * blockDim.x * HIST_ITEMS;
#pragma unroll
    for (int k = 0; k < HIST_ITEMS; ++k) {
        const int i = tileStart + k * blockDim.x + threadIdx.x;
        if (i < n) atomicAdd(&s_cnt[(keys[i] >> shift) & MASK], 1u);
    }
    __syncthreads();
    for (int d = threadIdx.x; d < RADIX; d += blockDim.x)
        hist[d * gridDim.x + blockIdx.x] = s_cnt[d];
}

__device__ __forceinline__ unsigned long long pack_status(unsigned flag, unsigned value)
{
    return (static_cast<unsigned long long>(flag) << 32) | value;
}

// Single-pass chained scan. Tiles take a ticket from a global counter so
// that a tile only ever waits on tiles that were already scheduled; the
// look-back spins with exponential __nanosleep back-off.
__global__ void __launch_bounds__(LB_THREADS)
decoupled_lookback_scan(const unsigned* __restrict__ in, unsigned* __restrict__ out,
                        unsigned long long* tileStatus, unsigned* tileTicket, int n)
{
    __shared__ unsigned s_tile;
    __shared__ unsigned s_warp[LB_WARPS];
    __shared__ unsigned s_exclusive;

    if (threadIdx.x == 0) s_tile = atomicAdd(tileTicket, 1u);
    __syncthreads();
    const unsigned tile = s_tile;
    const int i = tile * LB_THREADS + threadIdx.x;
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;

    unsigned v = (i < n) ? in[i] : 0u;
    for (int d = 1; d < 32; d <<= 1) {                 // warp inclusive scan
        unsigned t = __shfl_up_sync(0xffffffffu, v, d);
        if (lane >= d) v += t;
    }
    if (lane == 31) s_warp[warp] = v;
    __syncthreads();
    if (warp == 0) {
        unsigned w = (lane < LB_WARPS) ? s_warp[lane] : 0u;
        for (int d = 1; d < 32; d <<= 1) {
            unsigned t = __shfl_up_sync(0xffffffffu, w, d);
            if (lane >= d) w += t;
        }
        if (lane < LB_WARPS) s_warp[lane] = w;
    }
    __syncthreads();
    if (warp > 0) v += s_warp[warp - 1];
    const unsigned aggregate = s_warp[LB_WARPS - 1];

    if (threadIdx.x == 0) {
        if (tile == 0) {
            atomicExch(&tileStatus[0], pack_status(FLAG_PREFIX, aggregate));
            s_exclusive = 0u;
        } else {
            atomicExch(&tileStatus[tile], pack_status(FLAG_AGGREGATE, aggregate));
            unsigned exclusive = 0u;
            int pred = (int)tile - 1;
            unsigned backoff = 32;
            while (true) {
                const unsigned long long st = __ldcg(&tileStatus[pred]);   // L2 only, never a stale L1 line
                const unsigned flag = (unsigned)(st >> 32);
                if (flag == FLAG_INVALID) {
                    __nanosleep(backoff);
                    if (backoff < 1024) backoff <<= 1;
                    continue;
                }
                exclusive += (unsigned)(st & 0xffffffffull);
                if (flag == FLAG_PREFIX) break;
                --pred;
            }
            atomicExch(&tileStatus[tile], pack_status(FLAG_PREFIX, exclusive + aggregate));
            s_exclusive = exclusive;
        }
    }
    __syncthreads();
    if (i < n) out[i] = v + s_exclusive;
}

// ---------------------------------------------------------------- host ----
static void exclusive_scan(const unsigned* d_in, unsigned* d_out, int n)
{
    const int perBlock = 2 * SCAN_THREADS;
    const int blocks = (n + perBlock - 1) / perBlock;
    const size_t smem = (perBlock + CONFLICT_FREE_OFFSET(perBlock - 1) + 1) * sizeof(unsigned);
    if (blocks == 1) {
        blelloch_scan_block<<<1, SCAN_THREADS, smem>>>(d_in, d_out, nullptr, n);
        return;
    }
    unsigned *d_sums, *d_sumsScanned;
    CHECK(cudaMalloc(&d_sums, blocks * sizeof(unsigned)));
    CHECK(cudaMalloc(&d_sumsScanned, blocks * sizeof(unsigned)));
    blelloch_scan_block<<<blocks, SCAN_THREADS, smem>>>(d_in, d_out, d_sums, n);
    exclusive_scan(d_sums, d_sumsScanned, blocks);
    add_block_offsets<<<blocks, SCAN_THREADS>>>(d_out, d_sumsScanned, n);
    CHECK(cudaFree(d_sums));
    CHECK(cudaFree(d_sumsScanned));
}

int main()
{
    const int n = 1 << 22;
    const int RADIX_BITS = 8;
    std::vector<unsigned> h(n);
    for (int i = 0; i < n; ++i) h[i] = (unsigned)(rand() & 0xffff) * 2654435761u;

    unsigned *d_keys, *d_hist, *d_offsets, *d_ones, *d_incl, *d_ticket;
    unsigned long long* d_status;
    const int histBlocks = (n + HIST_THREADS * HIST_ITEMS - 1) / (HIST_THREADS * HIST_ITEMS);
    const int histLen = (1 << RADIX_BITS) * histBlocks;
    const int lbTiles = (n + LB_THREADS - 1) / LB_THREADS;
    CHECK(cudaMalloc(&d_keys, n * sizeof(unsigned)));
    CHECK(cudaMalloc(&d_hist, histLen * sizeof(unsigned)));
    CHECK(cudaMalloc(&d_offsets, histLen * sizeof(unsigned)));
    CHECK(cudaMalloc(&d_ones, n * sizeof(unsigned)));
    CHECK(cudaMalloc(&d_incl, n * sizeof(unsigned)));
    CHECK(cudaMalloc(&d_ticket, sizeof(unsigned)));
    CHECK(cudaMalloc(&d_status, lbTiles * sizeof(unsigned long long)));
    CHECK(cudaMemcpy(d_keys, h.data(), n * sizeof(unsigned), cudaMemcpyHostToDevice));

    // radix pass planning for digit 0: counts, then global offsets
    radix_digit_hist<RADIX_BITS><<<histBlocks, HIST_THREADS>>>(d_keys, d_hist, n, 0);
    exclusive_scan(d_hist, d_offsets, histLen);

    // single-pass inclusive scan of all-ones must give 1..n
    std::vector<unsigned> ones(n, 1u);
    CHECK(cudaMemcpy(d_ones, ones.data(), n * sizeof(unsigned), cudaMemcpyHostToDevice));
    CHECK(cudaMemset(d_ticket, 0, sizeof(unsigned)));
    CHECK(cudaMemset(d_status, 0, lbTiles * sizeof(unsigned long long)));
    decoupled_lookback_scan<<<lbTiles, LB_THREADS>>>(d_ones, d_incl, d_status, d_ticket, n);
    CHECK(cudaGetLastError());
    CHECK(cudaDeviceSynchronize());

    unsigned lastIncl = 0, lastOff = 0;
    CHECK(cudaMemcpy(&lastIncl, d_incl + n - 1, sizeof(unsigned), cudaMemcpyDeviceToHost));
    CHECK(cudaMemcpy(&lastOff, d_offsets + histLen - 1, sizeof(unsigned), cudaMemcpyDeviceToHost));
    printf("inclusive[n-1]=%u (expect %d), last digit offset=%u\n", lastIncl, n, lastOff);

    cudaFree(d_keys); cudaFree(d_hist); cudaFree(d_offsets); cudaFree(d_ones);
    cudaFree(d_incl); cudaFree(d_ticket); cudaFree(d_status);
    return 0;
}

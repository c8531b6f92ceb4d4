// Canonical k-mer counting for short-read batches.
//   pack_reads_2bit_kernel   ASCII -> 2-bit codes + N mask (16 bases per thread)
//   count_kmers_kernel<K>    warp per read, block-private open-addressing table in
//                            shared memory, spills and final flush to a global table
//   abundance_spectrum_kernel  histogram of k-mer multiplicities
//   compact_solid_kmers_kernel pulls (kmer, count >= cutoff) out of the global table
//
//   nvcc -O3 -arch=sm_80 -std=c++17 k5_bits_kmer_count.cu -o kmercount

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <vector>
#include <cuda_runtime.h>
#include <cooperative_groups.h>

namespace cg = cooperative_groups;

#define CK(x)                                                                          \
    do {                                                                               \
        cudaError_t rc_ = (x);                                                         \
        if (rc_ != cudaSuccess) {                                                      \
            fprintf(stderr, "%s @ %s:%d\n", cudaGetErrorString(rc_), __FILE__, __LINE__); \
            exit(EXIT_FAILURE);                                                        \
        }                                                                              \
    } while (0)

typedef unsigned long long u64;

constexpr int READ_LEN    = 160;                 // bases, padded stride in the ASCII buffer
constexpr int READ_WORDS  = READ_LEN / 16;       // 2-bit words per read
constexpr u64 EMPTY_KEY   = ~0ull;               // never a valid k-mer for K <= 31
constexpr int SMEM_PROBES = 16;
constexpr int SPECTRUM_BINS = 256;

__device__ __forceinline__ u64 mix64(u64 x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

// reverse complement of a k-mer stored with base 0 in bits [1:0]
template <int K>
__device__ __forceinline__ u64 revcomp(u64 x)
{
    x = ~x;                                                              // A<->T, C<->G
    x = __brevll(x);                                                     // reverses bits...
    x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);  // ...fix pairs
    return x >> (64 - 2 * K);
}

// ---------------------------------------------------------------------------
// Each thread converts 16 ASCII bases (one uint4). Consecutive threads take
// consecutive 16-byte chunks, so the uint4 loads and the 32-bit stores of a warp
// are both contiguous.
// ---------------------------------------------------------------------------
__global__ void pack_reads_2bit_kernel(const uint4* __restrict__ ascii, uint32_t* __restrict__ packed,
                                       uint16_t* __restrict__ nmask, int n_chunks)
{
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < n_chunks; c += gridDim.x * blockDim.x) {
        const uint4 v = __ldcs(ascii + c);
        const uint32_t w[4] = {v.x, v.y, v.z, v.w};
        uint32_t bits = 0, nm = 0;
#pragma unroll
        for (int q = 0; q < 4; ++q) {
            // A/a=0 C/c=1 G/g=3 T/t=2 after (c>>1)&3, then fold G/T into 2/3
            uint32_t code = (w[q] >> 1) & 0x03030303u;
            code ^= (code >> 1) & 0x01010101u;
            const uint32_t isN = __vcmpeq4(w[q] | 0x20202020u, 0x6e6e6e6eu);   // 'n' bytes -> 0xff
            const uint32_t packed8 = (code & 0x3u) | ((code >> 6) & 0xcu) |
                                     ((code >> 12) & 0x30u) | ((code >> 18) & 0xc0u);
            bits |= packed8 << (8 * q);
            nm |= (((isN >> 7) & 1u) | ((isN >> 14) & 2u) | ((isN >> 21) & 4u) | ((isN >> 28) & 8u)) << (4 * q);
        }
        packed[c] = bits;
        nmask[c] = (uint16_t)nm;
    }
}

// ---------------------------------------------------------------------------
// global table: linear probing, key CAS then count add
// ---------------------------------------------------------------------------
__device__ __forceinline__ void global_table_add(u64* keys, uint32_t* counts, uint32_t gmask,
                                                 u64 key, uint32_t n)
{
    uint32_t h = (uint32_t)mix64(key) & gmask;
    while (true) {
        const u64 prev = atomicCAS(&keys[h], EMPTY_KEY, key);
        if (prev == EMPTY_KEY || prev == key) { atomicAdd(&counts[h], n); return; }
        h = (h + 1) & gmask;
    }
}

template <int K>
__global__ void __launch_bounds__(256)
count_kmers_kernel(const uint32_t* __restrict__ packed, const uint16_t* __restrict__ nmask,
                   int n_reads, int s_slots_log2,
                   u64* __restrict__ g_keys, uint32_t* __restrict__ g_counts, uint32_t g_mask,
                   unsigned* __restrict__ n_spilled)
{
    static_assert(K >= 11 && K <= 31, "K must fit in 62 bits");
    extern __shared__ u64 s_keys[];                 // [slots] keys, then [slots] u32 counts
    const uint32_t s_slots = 1u << s_slots_log2;
    const uint32_t s_mask = s_slots - 1;
    uint32_t* s_counts = reinterpret_cast<uint32_t*>(s_keys + s_slots);

    for (uint32_t s = threadIdx.x; s < s_slots; s += blockDim.x) { s_keys[s] = EMPTY_KEY; s_counts[s] = 0u; }
    __syncthreads();

    const unsigned FULL = 0xffffffffu;
    const int lane = threadIdx.x & 31;
    const int warps_total = (gridDim.x * blockDim.x) >> 5;
    const u64 kmask = (1ull << (2 * K)) - 1ull;
    const int n_kmers = READ_LEN - K + 1;

    for (int read = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; read < n_reads; read += warps_total) {
        const uint32_t* pr = packed + (size_t)read * READ_WORDS;
        const uint16_t* nr = nmask + (size_t)read * READ_WORDS;

        for (int base = 0; base < n_kmers; base += 32) {
            const int p = base + lane;
            const bool in_range = p < n_kmers;
            const int wi = in_range ? (p >> 4) : 0;
            const int sh = 2 * (p & 15);
            // up to three words cover bases p .. p+30
            const u64 lo = (u64)pr[wi] | ((u64)pr[min(wi + 1, READ_WORDS - 1)] << 32);
            const u64 hi = pr[min(wi + 2, READ_WORDS - 1)];
            const u64 fwd = ((lo >> sh) | ((hi << 1) << (63 - sh))) & kmask;

            const uint32_t nlo = (uint32_t)nr[wi] | ((uint32_t)nr[min(wi + 1, READ_WORDS - 1)] << 16);
            const uint32_t nwin = (uint32_t)(((u64)nlo | ((u64)nr[min(wi + 2, READ_WORDS - 1)] << 32)) >> (p & 15));
            const bool clean = (nwin & ((1u << K) - 1u)) == 0u;

            const u64 rc = revcomp<K>(fwd);
            const u64 key = (in_range && clean) ? min(fwd, rc) : EMPTY_KEY;

            // lanes holding the same k-mer elect one inserter carrying the multiplicity
            const unsigned peers = __match_any_sync(FULL, key);
            const bool leader = (key != EMPTY_KEY) && (lane == __ffs(peers) - 1);
            if (!leader) continue;
            const uint32_t mult = __popc(peers);

            uint32_t h = (uint32_t)mix64(key) & s_mask;
            bool done = false;
            for (int probe = 0; probe < SMEM_PROBES; ++probe) {
                const u64 prev = atomicCAS(&s_keys[h], EMPTY_KEY, key);
                if (prev == EMPTY_KEY || prev == key) { atomicAdd(&s_counts[h], mult); done = true; break; }
                h = (h + 1) & s_mask;
            }
            if (!done) {                                     // local table crowded: go straight to global
                global_table_add(g_keys, g_counts, g_mask, key, mult);
                atomicAdd(n_spilled, 1u);
            }
        }
    }
    __syncthreads();

    // one pass of the block's table into the global one
    for (uint32_t s = threadIdx.x; s < s_slots; s += blockDim.x) {
        const u64 k = s_keys[s];
        if (k != EMPTY_KEY) global_table_add(g_keys, g_counts, g_mask, k, s_counts[s]);
    }
}

// ---------------------------------------------------------------------------
// multiplicity histogram; identical bins inside a warp are merged before the
// global update (the spectrum is dominated by a handful of low bins)
// ---------------------------------------------------------------------------
__global__ void abundance_spectrum_kernel(const u64* __restrict__ keys, const uint32_t* __restrict__ counts,
                                          int n_slots, unsigned* __restrict__ spectrum)
{
    const unsigned FULL = 0xffffffffu;
    const int lane = threadIdx.x & 31;
    const int stride = gridDim.x * blockDim.x;
    const int n_round = (n_slots + 31) & ~31;
    for (int s = blockIdx.x * blockDim.x + threadIdx.x; s < n_round; s += stride) {
        const bool used = s < n_slots && __ldg(keys + s) != EMPTY_KEY;
        const uint32_t bin = used ? min(__ldg(counts + s), (uint32_t)(SPECTRUM_BINS - 1)) : 0xffffffffu;
        const unsigned same = __match_any_sync(FULL, bin);
        if (used && lane == __ffs(same) - 1) atomicAdd(&spectrum[bin], (unsigned)__popc(same));
    }
}

// ---------------------------------------------------------------------------
// stream compaction of solid k-mers, warp-aggregated slot reservation
// ---------------------------------------------------------------------------
__global__ void compact_solid_kmers_kernel(const u64* __restrict__ keys, const uint32_t* __restrict__ counts,
                                           int n_slots, uint32_t cutoff,
                                           u64* __restrict__ out_keys, uint32_t* __restrict__ out_counts,
                                           unsigned* __restrict__ n_out)
{
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);

    const int n_round = (n_slots + 31) & ~31;
    for (int s = blockIdx.x * blockDim.x + threadIdx.x; s < n_round; s += gridDim.x * blockDim.x) {
        u64 k = EMPTY_KEY;
        uint32_t c = 0;
        if (s < n_slots) { k = keys[s]; c = counts[s]; }
        const bool keep = k != EMPTY_KEY && c >= cutoff;

        const unsigned m = warp.ballot(keep);
        if (m == 0u) continue;
        const unsigned leader = __ffs(m) - 1;
        unsigned base = 0;
        if (warp.thread_rank() == leader) base = atomicAdd(n_out, (unsigned)__popc(m));
        base = warp.shfl(base, leader);
        if (keep) {
            const unsigned slot = base + __popc(m & ((1u << warp.thread_rank()) - 1u));
            out_keys[slot] = k;
            out_counts[slot] = c;
        }
    }
}

// ---------------------------------------------------------------------------
// host: reads arrive in batches; copy of batch b+1 overlaps counting of batch b
// ---------------------------------------------------------------------------
int main(int argc, char** argv)
{
    constexpr int K = 25;
    const int n_batches = argc > 1 ? atoi(argv[1]) : 8;
    const int reads_per_batch = 1 << 18;
    const int g_log2 = 27;                                   // 128M slots
    const uint32_t g_slots = 1u << g_log2;
    const size_t batch_bytes = (size_t)reads_per_batch * READ_LEN;
    const int chunks = reads_per_batch * READ_WORDS;

    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));

    // biggest power-of-two table that fits the opt-in shared memory (12 bytes per slot)
    int s_log2 = 10;
    while ((size_t)(1u << (s_log2 + 1)) * 12 <= prop.sharedMemPerBlockOptin) ++s_log2;
    const size_t smem = (size_t)(1u << s_log2) * 12;
    CK(cudaFuncSetAttribute(count_kmers_kernel<K>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));

    char* h_ascii;
    CK(cudaHostAlloc(&h_ascii, 2 * batch_bytes, cudaHostAllocDefault));
    uint64_t rng = 0x243f6a8885a308d3ull;
    const char alphabet[4] = {'A', 'C', 'G', 'T'};

    u64* d_keys; uint32_t* d_counts; unsigned *d_spill, *d_spectrum, *d_nout;
    CK(cudaMalloc(&d_keys, (size_t)g_slots * sizeof(u64)));
    CK(cudaMalloc(&d_counts, (size_t)g_slots * sizeof(uint32_t)));
    CK(cudaMalloc(&d_spill, sizeof(unsigned)));
    CK(cudaMalloc(&d_spectrum, SPECTRUM_BINS * sizeof(unsigned)));
    CK(cudaMalloc(&d_nout, sizeof(unsigned)));
    CK(cudaMemset(d_keys, 0xff, (size_t)g_slots * sizeof(u64)));
    CK(cudaMemset(d_counts, 0, (size_t)g_slots * sizeof(uint32_t)));
    CK(cudaMemset(d_spill, 0, sizeof(unsigned)));
    CK(cudaMemset(d_spectrum, 0, SPECTRUM_BINS * sizeof(unsigned)));
    CK(cudaMemset(d_nout, 0, sizeof(unsigned)));

    cudaStream_t streams[2];
    uint4* d_ascii[2]; uint32_t* d_packed[2]; uint16_t* d_nmask[2];
    for (int s = 0; s < 2; ++s) {
        CK(cudaStreamCreateWithFlags(&streams[s], cudaStreamNonBlocking));
        CK(cudaMalloc(&d_ascii[s], batch_bytes));
        CK(cudaMalloc(&d_packed[s], (size_t)chunks * sizeof(uint32_t)));
        CK(cudaMalloc(&d_nmask[s], (size_t)chunks * sizeof(uint16_t)));
    }

    const int warps_per_block = 256 / 32;
    const int count_blocks = (reads_per_batch + warps_per_block * 8 - 1) / (warps_per_block * 8);
    for (int b = 0; b < n_batches; ++b) {
        const int s = b & 1;
        char* hb = h_ascii + s * batch_bytes;
        CK(cudaStreamSynchronize(streams[s]));               // host buffer s is free again
        for (size_t i = 0; i < batch_bytes; ++i) {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            hb[i] = (rng & 0x3ff) == 0 ? 'N' : alphabet[rng & 3];
        }
        CK(cudaMemcpyAsync(d_ascii[s], hb, batch_bytes, cudaMemcpyHostToDevice, streams[s]));
        pack_reads_2bit_kernel<<<(chunks + 255) / 256, 256, 0, streams[s]>>>(d_ascii[s], d_packed[s], d_nmask[s], chunks);
        count_kmers_kernel<K><<<count_blocks, 256, smem, streams[s]>>>(
            d_packed[s], d_nmask[s], reads_per_batch, s_log2, d_keys, d_counts, g_slots - 1, d_spill);
        CK(cudaGetLastError());
    }
    CK(cudaDeviceSynchronize());

    const int scan_blocks = (int)((g_slots + 255) / 256 < 8192 ? (g_slots + 255) / 256 : 8192);
    abundance_spectrum_kernel<<<scan_blocks, 256>>>(d_keys, d_counts, (int)g_slots, d_spectrum);
    u64* d_solid_keys; uint32_t* d_solid_counts;
    CK(cudaMalloc(&d_solid_keys, (size_t)g_slots / 4 * sizeof(u64)));
    CK(cudaMalloc(&d_solid_counts, (size_t)g_slots / 4 * sizeof(uint32_t)));
    compact_solid_kmers_kernel<<<scan_blocks, 256>>>(d_keys, d_counts, (int)g_slots, 2u,
                                                     d_solid_keys, d_solid_counts, d_nout);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());

    unsigned spill = 0, n_solid = 0, spectrum[SPECTRUM_BINS];
    CK(cudaMemcpy(&spill, d_spill, sizeof(unsigned), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(&n_solid, d_nout, sizeof(unsigned), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(spectrum, d_spectrum, sizeof(spectrum), cudaMemcpyDeviceToHost));
    printf("K=%d  smem table 2^%d slots  spills=%u  solid(>=2)=%u\n", K, s_log2, spill, n_solid);
    for (int i = 1; i <= 8; ++i) printf("  x%-3d %u\n", i, spectrum[i]);

    for (int s = 0; s < 2; ++s) {
        cudaStreamDestroy(streams[s]);
        cudaFree(d_ascii[s]); cudaFree(d_packed[s]); cudaFree(d_nmask[s]);
    }
    cudaFreeHost(h_ascii);
    cudaFree(d_keys); cudaFree(d_counts); cudaFree(d_spill); cudaFree(d_spectrum);
    cudaFree(d_nout); cudaFree(d_solid_keys); cudaFree(d_solid_counts);
    return 0;
}

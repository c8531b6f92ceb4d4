// Batched SHA-256 over fixed-size records, a double-SHA-256 nonce scan over an
// 80-byte header template, and a prefix histogram of the record digests.
//
//   nvcc -O3 -arch=sm_80 k5_bits_sha256_batch.cu -o sha256_batch

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <vector>
#include <cuda_runtime.h>

#define CK(call)                                                               \
    do {                                                                       \
        cudaError_t err__ = (call);                                            \
        if (err__ != cudaSuccess) {                                            \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,                 \
                    cudaGetErrorString(err__));                                \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static const uint32_t kRoundK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static const uint32_t kIV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

__constant__ uint32_t c_K[64];
__constant__ uint32_t c_IV[8];
__constant__ uint32_t c_midstate[8];   // state after the first 64 header bytes
__constant__ uint32_t c_tail[3];       // header bytes 64..75, big-endian words

// ---------------------------------------------------------------------------
// device primitives
// ---------------------------------------------------------------------------
__device__ __forceinline__ uint32_t rotr32(uint32_t x, int n) { return __funnelshift_r(x, x, n); }
__device__ __forceinline__ uint32_t bswap32(uint32_t x) { return __byte_perm(x, 0, 0x0123); }

__device__ __forceinline__ uint32_t bsig0(uint32_t a) { return rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22); }
__device__ __forceinline__ uint32_t bsig1(uint32_t e) { return rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25); }
__device__ __forceinline__ uint32_t ssig0(uint32_t w) { return rotr32(w, 7) ^ rotr32(w, 18) ^ (w >> 3); }
__device__ __forceinline__ uint32_t ssig1(uint32_t w) { return rotr32(w, 17) ^ rotr32(w, 19) ^ (w >> 10); }
__device__ __forceinline__ uint32_t ch(uint32_t e, uint32_t f, uint32_t g) { return g ^ (e & (f ^ g)); }
__device__ __forceinline__ uint32_t maj(uint32_t a, uint32_t b, uint32_t c) { return (a & b) | (c & (a | b)); }

// W is a rolling 16-word schedule window; it is clobbered.
__device__ __forceinline__ void sha256_block(uint32_t st[8], uint32_t W[16])
{
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
#pragma unroll
    for (int i = 0; i < 64; ++i) {
        uint32_t w;
        if (i < 16) {
            w = W[i];
        } else {
            w = ssig1(W[(i - 2) & 15]) + W[(i - 7) & 15] + ssig0(W[(i - 15) & 15]) + W[i & 15];
            W[i & 15] = w;
        }
        uint32_t t1 = h + bsig1(e) + ch(e, f, g) + c_K[i] + w;
        uint32_t t2 = bsig0(a) + maj(a, b, c);
        h = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d;
    st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

__device__ __forceinline__ void load_block_be(uint32_t W[16], const uint4* __restrict__ src)
{
#pragma unroll
    for (int q = 0; q < 4; ++q) {
        uint4 v = __ldcs(src + q);          // each record is touched exactly once
        W[4 * q + 0] = bswap32(v.x);
        W[4 * q + 1] = bswap32(v.y);
        W[4 * q + 2] = bswap32(v.z);
        W[4 * q + 3] = bswap32(v.w);
    }
}

__device__ __forceinline__ unsigned lanemask_lt()
{
    unsigned m;
    asm("mov.u32 %0, %%lanemask_lt;" : "=r"(m));
    return m;
}

// ---------------------------------------------------------------------------
// 1) one thread = one record of NBLK*64 bytes (length is a block multiple, so
//    the trailing padding block is constant apart from the bit length).
//    Digests are written word-major (word w of record r at w*n + r): a warp's
//    eight stores per record then land on contiguous 128-byte segments.
// ---------------------------------------------------------------------------
template <int NBLK>
__global__ void __launch_bounds__(256, 4)
sha256_records_kernel(const uint4* __restrict__ records, uint32_t* __restrict__ digests, int n)
{
    const int stride = gridDim.x * blockDim.x;
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += stride) {
        const uint4* rec = records + (size_t)r * (NBLK * 4);
        uint32_t st[8], W[16];
#pragma unroll
        for (int k = 0; k < 8; ++k) st[k] = c_IV[k];

#pragma unroll
        for (int blk = 0; blk < NBLK; ++blk) {
            load_block_be(W, rec + blk * 4);
            sha256_block(st, W);
        }

        W[0] = 0x80000000u;
#pragma unroll
        for (int k = 1; k < 15; ++k) W[k] = 0u;
        W[15] = NBLK * 512u;
        sha256_block(st, W);

#pragma unroll
        for (int k = 0; k < 8; ++k) digests[(size_t)k * n + r] = st[k];
    }
}

// ---------------------------------------------------------------------------
// 2) double SHA-256 over header = 64-byte prefix (midstate) | 12-byte tail | nonce.
//    Hits (leading zero bits >= zbits) are appended with one atomic per warp.
//    The loop is warp-uniform so the full-mask votes below are legal.
// ---------------------------------------------------------------------------
__global__ void __launch_bounds__(256)
sha256d_nonce_scan_kernel(uint64_t nonce_base, uint64_t count, int zbits,
                          uint32_t* __restrict__ hits, unsigned* __restrict__ n_hits,
                          unsigned max_hits)
{
    const unsigned FULL = 0xffffffffu;
    const int lane = threadIdx.x & 31;
    const uint64_t gstride = (uint64_t)gridDim.x * blockDim.x;

    for (uint64_t base = (uint64_t)blockIdx.x * blockDim.x + (threadIdx.x & ~31u);
         base < count; base += gstride) {
        // stop early once the result buffer is full (vote keeps the warp together)
        bool full = *((volatile unsigned*)n_hits) >= max_hits;
        if (__any_sync(FULL, full)) break;

        const uint64_t idx = base + lane;
        const bool valid = idx < count;
        const uint32_t nonce = (uint32_t)(nonce_base + idx);

        uint32_t st[8], W[16];
#pragma unroll
        for (int k = 0; k < 8; ++k) st[k] = c_midstate[k];
        W[0] = c_tail[0]; W[1] = c_tail[1]; W[2] = c_tail[2];
        W[3] = bswap32(nonce);              // nonce is little-endian in the header
        W[4] = 0x80000000u;
#pragma unroll
        for (int k = 5; k < 15; ++k) W[k] = 0u;
        W[15] = 80u * 8u;
        sha256_block(st, W);

        // second pass: hash the 32-byte digest
#pragma unroll
        for (int k = 0; k < 8; ++k) W[k] = st[k];
        W[8] = 0x80000000u;
#pragma unroll
        for (int k = 9; k < 15; ++k) W[k] = 0u;
        W[15] = 256u;
#pragma unroll
        for (int k = 0; k < 8; ++k) st[k] = c_IV[k];
        sha256_block(st, W);

        const uint64_t top = ((uint64_t)st[0] << 32) | st[1];
        const bool hit = valid && (__clzll(top) >= zbits);

        const unsigned hit_mask = __ballot_sync(FULL, hit);
        if (hit_mask == 0u) continue;
        const int leader = __ffs(hit_mask) - 1;
        unsigned slot0 = 0;
        if (lane == leader) slot0 = atomicAdd(n_hits, __popc(hit_mask));
        slot0 = __shfl_sync(FULL, slot0, leader);
        if (hit) {
            unsigned slot = slot0 + __popc(hit_mask & lanemask_lt());
            if (slot < max_hits) hits[slot] = nonce;
        }
    }
}

// ---------------------------------------------------------------------------
// 3) histogram of the top PREFIX_BITS of each digest. Per-block counters live in
//    shared memory and are added to the global histogram once per block.
// ---------------------------------------------------------------------------
#define PREFIX_BITS 12
#define NBINS (1 << PREFIX_BITS)

__global__ void digest_prefix_hist_kernel(const uint32_t* __restrict__ digests, int n,
                                          unsigned* __restrict__ hist,
                                          unsigned* __restrict__ zero_prefix128)
{
    __shared__ unsigned s_hist[NBINS];
    __shared__ unsigned s_zero;

    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) s_hist[b] = 0u;
    if (threadIdx.x == 0) s_zero = 0u;
    __syncthreads();

    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += gridDim.x * blockDim.x) {
        // first 128 bits of the digest, gathered from the word-major layout
        uint4 head = make_uint4(digests[r], digests[(size_t)n + r],
                                digests[2 * (size_t)n + r], digests[3 * (size_t)n + r]);
        atomicAdd(&s_hist[head.x >> (32 - PREFIX_BITS)], 1u);
        if ((head.x | head.y | head.z | head.w) == 0u) atomicAdd(&s_zero, 1u);
    }
    __syncthreads();

#pragma unroll 1
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) {
        unsigned c = s_hist[b];
        if (c) atomicAdd(&hist[b], c);
    }
    if (threadIdx.x == 0 && s_zero) atomicAdd(zero_prefix128, s_zero);
}

// ---------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------
static inline uint32_t h_rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void host_sha256_block(uint32_t st[8], const uint8_t* p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; ++i) {
        uint32_t s0 = h_rotr(w[i - 15], 7) ^ h_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = h_rotr(w[i - 2], 17) ^ h_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
    for (int i = 0; i < 64; ++i) {
        uint32_t t1 = h + (h_rotr(e, 6) ^ h_rotr(e, 11) ^ h_rotr(e, 25)) + (g ^ (e & (f ^ g))) + kRoundK[i] + w[i];
        uint32_t t2 = (h_rotr(a, 2) ^ h_rotr(a, 13) ^ h_rotr(a, 22)) + ((a & b) | (c & (a | b)));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

int main(int argc, char** argv)
{
    const int n_records = argc > 1 ? atoi(argv[1]) : (1 << 22);
    const int zbits = argc > 2 ? atoi(argv[2]) : 28;
    constexpr int NBLK = 2;                     // 128-byte records
    const size_t rec_bytes = NBLK * 64;
    const unsigned max_hits = 1024;

    CK(cudaMemcpyToSymbol(c_K, kRoundK, sizeof(kRoundK)));
    CK(cudaMemcpyToSymbol(c_IV, kIV, sizeof(kIV)));

    std::vector<uint8_t> h_rec((size_t)n_records * rec_bytes);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (auto& byte : h_rec) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; byte = (uint8_t)x; }

    uint8_t header[80];
    for (int i = 0; i < 80; ++i) header[i] = (uint8_t)(i * 37 + 11);
    uint32_t mid[8];
    memcpy(mid, kIV, sizeof(mid));
    host_sha256_block(mid, header);
    uint32_t tail[3];
    for (int i = 0; i < 3; ++i)
        tail[i] = (uint32_t)header[64 + 4 * i] << 24 | (uint32_t)header[65 + 4 * i] << 16 |
                  (uint32_t)header[66 + 4 * i] << 8 | header[67 + 4 * i];
    CK(cudaMemcpyToSymbol(c_midstate, mid, sizeof(mid)));
    CK(cudaMemcpyToSymbol(c_tail, tail, sizeof(tail)));

    uint4* d_rec; uint32_t* d_dig; uint32_t* d_hits; unsigned *d_nhits, *d_hist, *d_zero;
    CK(cudaMalloc(&d_rec, h_rec.size()));
    CK(cudaMalloc(&d_dig, (size_t)n_records * 8 * sizeof(uint32_t)));
    CK(cudaMalloc(&d_hits, max_hits * sizeof(uint32_t)));
    CK(cudaMalloc(&d_nhits, sizeof(unsigned)));
    CK(cudaMalloc(&d_hist, NBINS * sizeof(unsigned)));
    CK(cudaMalloc(&d_zero, sizeof(unsigned)));
    CK(cudaMemcpy(d_rec, h_rec.data(), h_rec.size(), cudaMemcpyHostToDevice));
    CK(cudaMemset(d_nhits, 0, sizeof(unsigned)));
    CK(cudaMemset(d_hist, 0, NBINS * sizeof(unsigned)));
    CK(cudaMemset(d_zero, 0, sizeof(unsigned)));

    cudaDeviceProp prop;
    CK(cudaGetDeviceProperties(&prop, 0));

    const int threads = 256;
    int rec_blocks = (n_records + threads - 1) / threads;
    sha256_records_kernel<NBLK><<<rec_blocks, threads>>>(d_rec, d_dig, n_records);
    CK(cudaGetLastError());

    // 16 records per thread keeps the per-block flush cost small
    int hist_blocks = (n_records + threads * 16 - 1) / (threads * 16);
    hist_blocks = hist_blocks > 1024 ? 1024 : hist_blocks;
    digest_prefix_hist_kernel<<<hist_blocks, threads>>>(d_dig, n_records, d_hist, d_zero);
    CK(cudaGetLastError());

    // nonce scan: fill the machine once and let every thread walk the range
    int blocks_per_sm = 0;
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks_per_sm, sha256d_nonce_scan_kernel, threads, 0));
    const int scan_blocks = prop.multiProcessorCount * blocks_per_sm;
    const uint64_t scan_count = 1ull << 32;
    sha256d_nonce_scan_kernel<<<scan_blocks, threads>>>(0ull, scan_count, zbits, d_hits, d_nhits, max_hits);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());

    unsigned nh = 0, zero = 0;
    std::vector<unsigned> h_hist(NBINS);
    CK(cudaMemcpy(&nh, d_nhits, sizeof(unsigned), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(&zero, d_zero, sizeof(unsigned), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(h_hist.data(), d_hist, NBINS * sizeof(unsigned), cudaMemcpyDeviceToHost));
    nh = nh < max_hits ? nh : max_hits;
    std::vector<uint32_t> h_hits(nh);
    if (nh) CK(cudaMemcpy(h_hits.data(), d_hits, nh * sizeof(uint32_t), cudaMemcpyDeviceToHost));

    unsigned hmin = ~0u, hmax = 0;
    for (unsigned c : h_hist) { hmin = c < hmin ? c : hmin; hmax = c > hmax ? c : hmax; }
    printf("records=%d  prefix bins min=%u max=%u  zero128=%u\n", n_records, hmin, hmax, zero);
    printf("nonce hits (>=%d zero bits): %u\n", zbits, nh);
    for (unsigned i = 0; i < nh && i < 8; ++i) printf("  nonce 0x%08x\n", h_hits[i]);

    cudaFree(d_rec); cudaFree(d_dig); cudaFree(d_hits);
    cudaFree(d_nhits); cudaFree(d_hist); cudaFree(d_zero);
    return 0;
}

// Batched pairwise DNA alignment with affine gaps (Gotoh).
//   sw_wavefront_kernel      : intra-task, one block per pair, anti-diagonal sweep
//   sw_short_read_kernel     : inter-task, one thread per (read, window) pair, 2-bit packed
//   sw_collect_hits_kernel   : compaction of pairs scoring above a threshold
//
//   nvcc -O3 -arch=sm_80 -std=c++17 k5_bits_smith_waterman.cu -o swbatch

#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <vector>
#include <algorithm>
#include <cuda_runtime.h>

#define CK(call)                                                                     \
    do {                                                                             \
        cudaError_t e__ = (call);                                                    \
        if (e__ != cudaSuccess) {                                                    \
            fprintf(stderr, "CUDA %s at %s:%d\n", cudaGetErrorString(e__), __FILE__, \
                    __LINE__);                                                       \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

struct ScoreParams {
    int match;      // > 0
    int mismatch;   // < 0
    int gap_open;   // cost of the first gap position (positive)
    int gap_ext;    // cost of each further position (positive)
};

static constexpr int NEG_INF = -(1 << 28);
static constexpr int WARP = 32;

// ---------------------------------------------------------------------------
// Intra-task wavefront. Thread t owns query row i = t + 1; at step d it computes
// cell (i, d - i). Horizontal gap state E(i, .) and H(i, j-1) stay in the owning
// thread's registers; the vertical terms come from row i-1 through shared memory.
// kLocal = true : Smith-Waterman (clamp at 0, best anywhere)
// kLocal = false: Needleman-Wunsch (global, score at (qlen, tlen))
// ---------------------------------------------------------------------------
template <bool kLocal>
__global__ void sw_wavefront_kernel(const uint8_t* __restrict__ queries,
                                    const uint8_t* __restrict__ targets,
                                    const int* __restrict__ q_off, const int* __restrict__ q_len,
                                    const int* __restrict__ t_off, const int* __restrict__ t_len,
                                    ScoreParams sp, int* __restrict__ best_score,
                                    int* __restrict__ best_cell)
{
    extern __shared__ __align__(16) uint8_t smem[];
    const int pair = blockIdx.x;
    const int qlen = q_len[pair];
    const int tlen = t_len[pair];
    const int tlen_pad = (tlen + 15) & ~15;

    // layout: [target bytes | H ping | H pong | F ping | F pong]
    uint8_t* s_tgt = smem;
    int* s_H = reinterpret_cast<int*>(smem + tlen_pad);
    int* s_F = s_H + 2 * blockDim.x;

    // t_off is 16-byte aligned by the host packer
    const uint4* gt = reinterpret_cast<const uint4*>(targets + t_off[pair]);
    uint4* st = reinterpret_cast<uint4*>(s_tgt);
    for (int v = threadIdx.x; v < tlen_pad / 16; v += blockDim.x) st[v] = gt[v];

    const int tid = threadIdx.x;
    const int i = tid + 1;
    const bool row_active = i <= qlen;

    // per-row constants and carried values live in registers for the whole sweep
    const uint8_t qi = row_active ? queries[q_off[pair] + tid] : 0xff;
    const int go = sp.gap_open, ge = sp.gap_ext;
    const int row_boundary = kLocal ? 0 : -(go + (i - 1) * ge);   // H(i, 0)
    int H_left = row_boundary;                                    // H(i, j-1)
    int E = NEG_INF;                                              // E(i, j-1)
    int H_diag = kLocal ? 0 : (i == 1 ? 0 : -(go + (i - 2) * ge)); // H(i-1, j-1) for j = 1
    int best = 0;
    int best_j = 0;

    __syncthreads();

    // Ping-pong buffers indexed by d & 1: the slot written at step d was last read
    // at step d-1, which is already fenced by that step's barrier, so a single
    // __syncthreads per anti-diagonal is enough.
    for (int d = 2; d <= qlen + tlen; ++d) {
        const int j = d - i;
        const int rd = (d - 1) & 1, wr = d & 1;
        int H_cur, F_cur;
        if (row_active && j >= 1 && j <= tlen) {
            int H_up, F_up;
            if (tid == 0) {
                H_up = kLocal ? 0 : -(go + (j - 1) * ge);   // H(0, j)
                F_up = NEG_INF;
            } else {
                H_up = s_H[rd * blockDim.x + tid - 1];
                F_up = s_F[rd * blockDim.x + tid - 1];
            }
            E = max(E - ge, H_left - go);
            F_cur = max(F_up - ge, H_up - go);
            const int sub = (qi == s_tgt[j - 1]) ? sp.match : sp.mismatch;
            H_cur = max(max(E, F_cur), H_diag + sub);
            if (kLocal) H_cur = max(H_cur, 0);
            if (H_cur > best) { best = H_cur; best_j = j; }
            H_diag = H_up;      // becomes H(i-1, j) -> diagonal of (i, j+1)
            H_left = H_cur;
        } else {
            // column 0 (j < 1) boundary seen by row i+1, or a finished row
            H_cur = row_boundary;
            F_cur = NEG_INF;
        }
        s_H[wr * blockDim.x + tid] = H_cur;
        s_F[wr * blockDim.x + tid] = F_cur;
        __syncthreads();
    }

    if (!kLocal) {
        if (i == qlen) { best_score[pair] = H_left; best_cell[pair] = (qlen << 16) | tlen; }
        return;
    }

    // best (score, cell) over the block: pack so a plain max picks the earliest cell on ties
    unsigned long long key = row_active
        ? ((unsigned long long)(unsigned)best << 32) | (0xffffffffu - (unsigned)((i << 16) | best_j))
        : 0ull;
#pragma unroll
    for (int off = WARP / 2; off > 0; off >>= 1)
        key = max(key, __shfl_xor_sync(0xffffffffu, key, off));

    __shared__ unsigned long long s_warp_best[32];
    const int lane = tid & (WARP - 1), wid = tid / WARP;
    if (lane == 0) s_warp_best[wid] = key;
    __syncthreads();
    if (wid == 0) {
        const int nwarps = blockDim.x / WARP;
        key = lane < nwarps ? s_warp_best[lane] : 0ull;
#pragma unroll
        for (int off = WARP / 2; off > 0; off >>= 1)
            key = max(key, __shfl_xor_sync(0xffffffffu, key, off));
        if (lane == 0) {
            best_score[pair] = (int)(key >> 32);
            best_cell[pair] = (int)(0xffffffffu - (unsigned)key);
        }
    }
}

// ---------------------------------------------------------------------------
// Inter-task kernel for short reads (QLEN <= 32 bases -> one uint64 of 2-bit codes).
// The whole DP column for the read is held in registers; each target base is
// loaded once and swept across all QLEN rows.
// ---------------------------------------------------------------------------
template <int QLEN>
__global__ void __launch_bounds__(128)
sw_short_read_kernel(const unsigned long long* __restrict__ reads,      // one word per read
                     const uint32_t* __restrict__ ref_packed,          // 16 bases per word
                     const int* __restrict__ window_start,             // in bases, multiple of 16
                     int window_len, int n_pairs, ScoreParams sp,
                     int* __restrict__ scores)
{
    for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < n_pairs; p += gridDim.x * blockDim.x) {
        // unpack the read once; reused for every target column
        const unsigned long long rw = __ldg(reads + p);
        uint8_t q[QLEN];
#pragma unroll
        for (int r = 0; r < QLEN; ++r) q[r] = (uint8_t)((rw >> (2 * r)) & 3ull);

        int H[QLEN], E[QLEN];
#pragma unroll
        for (int r = 0; r < QLEN; ++r) { H[r] = 0; E[r] = NEG_INF; }

        const uint32_t* win = ref_packed + (window_start[p] >> 4);
        int best = 0;
        for (int w = 0; w < (window_len + 15) / 16; ++w) {
            const uint32_t tw = __ldg(win + w);
            const int nb = min(16, window_len - 16 * w);
            for (int b = 0; b < nb; ++b) {
                const uint8_t t = (tw >> (2 * b)) & 3u;
                int diag = 0;              // H(r-1, j-1), row 0 is zero
                int F = NEG_INF;
                int up = 0;                // H(r-1, j)
#pragma unroll
                for (int r = 0; r < QLEN; ++r) {
                    const int h_left = H[r];
                    E[r] = max(E[r] - sp.gap_ext, h_left - sp.gap_open);
                    F = max(F - sp.gap_ext, up - sp.gap_open);
                    int h = diag + (q[r] == t ? sp.match : sp.mismatch);
                    h = max(max(h, 0), max(E[r], F));
                    diag = h_left;
                    H[r] = h;
                    up = h;
                    best = max(best, h);
                }
            }
        }
        scores[p] = best;
    }
}

// ---------------------------------------------------------------------------
// Append (pair, score) for every pair at or above min_score; one atomic per warp.
// ---------------------------------------------------------------------------
__global__ void sw_collect_hits_kernel(const int* __restrict__ scores, int n, int min_score,
                                       int2* __restrict__ out, unsigned* __restrict__ n_out)
{
    const unsigned FULL = 0xffffffffu;
    const int lane = threadIdx.x & 31;
    const int stride = gridDim.x * blockDim.x;
    const int n_round = (n + 31) & ~31;     // all lanes stay in the loop together

    for (int idx = blockIdx.x * blockDim.x + threadIdx.x; idx < n_round; idx += stride) {
        const int s = idx < n ? scores[idx] : 0;
        const bool keep = idx < n && s >= min_score;
        const unsigned m = __ballot_sync(FULL, keep);
        if (!m) continue;
        const int leader = __ffs(m) - 1;
        unsigned base = 0;
        if (lane == leader) base = atomicAdd(n_out, (unsigned)__popc(m));
        base = __shfl_sync(FULL, base, leader);
        if (keep) out[base + __popc(m & ((1u << lane) - 1u))] = make_int2(idx, s);
    }
}

// ---------------------------------------------------------------------------
// host
// ---------------------------------------------------------------------------
static void random_dna(std::vector<uint8_t>& v, size_t off, int len, uint64_t& s)
{
    for (int k = 0; k < len; ++k) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[off + k] = (uint8_t)(s >> 62);
    }
}

int main(int argc, char** argv)
{
    const int n_pairs = argc > 1 ? atoi(argv[1]) : 4096;
    const int max_q = 512, max_t = 60000;
    const ScoreParams sp{2, -3, 5, 2};

    std::vector<int> qo(n_pairs), ql(n_pairs), to(n_pairs), tl(n_pairs);
    size_t qtot = 0, ttot = 0;
    uint64_t seed = 42;
    for (int p = 0; p < n_pairs; ++p) {
        seed = seed * 2862933555777941757ull + 3037000493ull;
        ql[p] = 64 + (int)((seed >> 33) % (max_q - 63));
        tl[p] = 1000 + (int)((seed >> 13) % (max_t - 999));
        qo[p] = (int)qtot; qtot += ql[p];
        to[p] = (int)ttot; ttot += (tl[p] + 15) & ~15;   // keep each target 16-byte aligned
    }
    std::vector<uint8_t> hq(qtot), ht(ttot, 0);
    for (int p = 0; p < n_pairs; ++p) { random_dna(hq, qo[p], ql[p], seed); random_dna(ht, to[p], tl[p], seed); }

    uint8_t *dq, *dt; int *dqo, *dql, *dto, *dtl, *d_best, *d_cell;
    CK(cudaMalloc(&dq, qtot)); CK(cudaMalloc(&dt, ttot));
    CK(cudaMalloc(&dqo, n_pairs * sizeof(int))); CK(cudaMalloc(&dql, n_pairs * sizeof(int)));
    CK(cudaMalloc(&dto, n_pairs * sizeof(int))); CK(cudaMalloc(&dtl, n_pairs * sizeof(int)));
    CK(cudaMalloc(&d_best, n_pairs * sizeof(int))); CK(cudaMalloc(&d_cell, n_pairs * sizeof(int)));
    CK(cudaMemcpy(dq, hq.data(), qtot, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dt, ht.data(), ttot, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dqo, qo.data(), n_pairs * sizeof(int), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dql, ql.data(), n_pairs * sizeof(int), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dto, to.data(), n_pairs * sizeof(int), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dtl, tl.data(), n_pairs * sizeof(int), cudaMemcpyHostToDevice));

    // one thread per query row; target + two ping-pong int rows for H and F
    const int threads = (max_q + 31) & ~31;
    const size_t smem = ((max_t + 15) & ~15) + 4 * threads * sizeof(int);
    if (smem > 48 * 1024) {
        CK(cudaFuncSetAttribute(sw_wavefront_kernel<true>,
                                cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
        CK(cudaFuncSetAttribute(sw_wavefront_kernel<false>,
                                cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    }
    sw_wavefront_kernel<true><<<n_pairs, threads, smem>>>(dq, dt, dqo, dql, dto, dtl, sp, d_best, d_cell);
    CK(cudaGetLastError());

    // short-read mode: 32-mers against 256-base windows of a packed reference
    const int n_reads = 1 << 20, win = 256, ref_len = 1 << 24;
    std::vector<unsigned long long> hreads(n_reads);
    std::vector<uint32_t> href(ref_len / 16);
    std::vector<int> hwin(n_reads);
    for (auto& r : hreads) { seed = seed * 6364136223846793005ull + 1; r = seed; }
    for (auto& w : href) { seed = seed * 6364136223846793005ull + 1; w = (uint32_t)(seed >> 32); }
    for (int r = 0; r < n_reads; ++r) hwin[r] = (int)(((hreads[r] >> 7) % (ref_len - win)) & ~15ull);

    unsigned long long* d_reads; uint32_t* d_ref; int *d_win, *d_sr_scores;
    int2* d_hits; unsigned* d_nhits;
    CK(cudaMalloc(&d_reads, n_reads * sizeof(unsigned long long)));
    CK(cudaMalloc(&d_ref, href.size() * sizeof(uint32_t)));
    CK(cudaMalloc(&d_win, n_reads * sizeof(int)));
    CK(cudaMalloc(&d_sr_scores, n_reads * sizeof(int)));
    CK(cudaMalloc(&d_hits, n_reads * sizeof(int2)));
    CK(cudaMalloc(&d_nhits, sizeof(unsigned)));
    CK(cudaMemcpy(d_reads, hreads.data(), n_reads * sizeof(unsigned long long), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(d_ref, href.data(), href.size() * sizeof(uint32_t), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(d_win, hwin.data(), n_reads * sizeof(int), cudaMemcpyHostToDevice));
    CK(cudaMemset(d_nhits, 0, sizeof(unsigned)));

    sw_short_read_kernel<32><<<(n_reads + 127) / 128, 128>>>(d_reads, d_ref, d_win, win, n_reads, sp, d_sr_scores);
    CK(cudaGetLastError());
    sw_collect_hits_kernel<<<std::min((n_reads + 255) / 256, 2048), 256>>>(d_sr_scores, n_reads, 40, d_hits, d_nhits);
    CK(cudaGetLastError());
    CK(cudaDeviceSynchronize());

    std::vector<int> hbest(n_pairs), hcell(n_pairs);
    unsigned nh = 0;
    CK(cudaMemcpy(hbest.data(), d_best, n_pairs * sizeof(int), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(hcell.data(), d_cell, n_pairs * sizeof(int), cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(&nh, d_nhits, sizeof(unsigned), cudaMemcpyDeviceToHost));
    int top = (int)(std::max_element(hbest.begin(), hbest.end()) - hbest.begin());
    printf("wavefront: best pair %d score %d at (%d,%d)\n", top, hbest[top], hcell[top] >> 16, hcell[top] & 0xffff);
    printf("short reads: %u / %d windows with score >= 40\n", nh, n_reads);

    cudaFree(dq); cudaFree(dt); cudaFree(dqo); cudaFree(dql); cudaFree(dto); cudaFree(dtl);
    cudaFree(d_best); cudaFree(d_cell); cudaFree(d_reads); cudaFree(d_ref); cudaFree(d_win);
    cudaFree(d_sr_scores); cudaFree(d_hits); cudaFree(d_nhits);
    return 0;
}

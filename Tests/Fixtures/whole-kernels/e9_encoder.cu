// e9_encoder.cu
// Token + position embedding (GPT-2 encoder) forward and a deterministic backward, bf16.
// out[b,t,:] = wte[tok[b,t], :] + wpe[t, :]    C % 8 == 0
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

typedef __nv_bfloat16 bf16;

struct alignas(16) Bf16x8 {              // one 128-bit packet of 8 bf16
    __nv_bfloat162 h[4];
};
__device__ __forceinline__ Bf16x8 ld8(const bf16* p) {
    int4 raw = __ldg(reinterpret_cast<const int4*>(p));
    return *reinterpret_cast<Bf16x8*>(&raw);
}

// Each thread produces one 16-byte packet; consecutive threads handle consecutive packets of the
// same row, so the wte/wpe row loads and the stores to out are coalesced.
__global__ void embed_fwd(bf16* __restrict__ out, const int* __restrict__ tokens, const bf16* __restrict__ wte,
                          const bf16* __restrict__ wpe, int BT, int T, int C) {
    const int idx = (blockIdx.x * blockDim.x + threadIdx.x) * 8;
    if (idx >= BT * C) return;
    const int bt = idx / C, c = idx % C, t = bt % T;
    const int tok = tokens[bt];
    Bf16x8 a = ld8(wte + (size_t)tok * C + c);
    Bf16x8 p = ld8(wpe + (size_t)t * C + c);
    Bf16x8 r;
#pragma unroll
    for (int k = 0; k < 4; ++k) r.h[k] = __hadd2(a.h[k], p.h[k]);
    __stcs(reinterpret_cast<int4*>(out + idx), *reinterpret_cast<const int4*>(&r));
}

__device__ __forceinline__ uint32_t mix_bits(uint32_t a, uint32_t b) {
    uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u);
    h ^= h >> 15; h *= 0x2C1B3C6Du; h ^= h >> 12; h *= 0x297A2D39u; h ^= h >> 15;
    return h;
}
// round to bf16 stochastically: P(round up) equals the discarded fraction
__device__ __forceinline__ bf16 to_bf16_sr(float x, uint32_t rnd) {
    uint32_t u = __float_as_uint(x);
    u += rnd & 0xFFFFu;
    return __ushort_as_bfloat16((unsigned short)(u >> 16));
}

struct Bucket { int token; int start; int count; };

// dwte backward without atomics: the host groups the (b,t) positions by token id, one bucket per
// distinct token, and each CTA owns one bucket = one row of dwte. Positions inside a bucket are
// summed in a fixed order, so the result is bitwise identical run to run.
// Threads of a CTA cover consecutive channels: reads of dout rows and the dwte row are coalesced.
__global__ void embed_bwd_wte_buckets(bf16* __restrict__ dwte, const bf16* __restrict__ dout,
                                      const Bucket* __restrict__ buckets, const int* __restrict__ positions,
                                      int C, uint32_t seed) {
    const Bucket bk = buckets[blockIdx.x];
    const int* pos = positions + bk.start;
    bf16* row = dwte + (size_t)bk.token * C;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
        float acc = __bfloat162float(row[c]);
        for (int k = 0; k < bk.count; ++k) acc += __bfloat162float(dout[(size_t)pos[k] * C + c]);
        row[c] = to_bf16_sr(acc, mix_bits(seed, (uint32_t)(bk.token * C + c)));
    }
}

// dwpe[t, c] += sum_b dout[b, t, c]; one thread per (t, c), b summed in order (no atomics,
// reproducible).
__global__ void embed_bwd_wpe(bf16* __restrict__ dwpe, const bf16* __restrict__ dout, int B, int T, int C,
                              uint32_t seed) {
    const int idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= T * C) return;
    float acc = __bfloat162float(dwpe[idx]);
    for (int b = 0; b < B; ++b) acc += __bfloat162float(dout[(size_t)b * T * C + idx]);
    dwpe[idx] = to_bf16_sr(acc, mix_bits(seed ^ 0xA5A5A5A5u, (uint32_t)idx));
}

int main() {
    const int B = 8, T = 1024, C = 768, V = 50304, BT = B * T;
    std::vector<int> h_tok(BT);
    for (int i = 0; i < BT; ++i) h_tok[i] = (i * 7919 + (i % 13) * 31) % 5000;   // skewed token ids

    int* d_tok;
    bf16 *d_wte, *d_wpe, *d_out, *d_dwte, *d_dwpe;
    cudaMalloc(&d_tok, BT * sizeof(int));
    cudaMalloc(&d_wte, (size_t)V * C * sizeof(bf16));
    cudaMalloc(&d_wpe, (size_t)T * C * sizeof(bf16));
    cudaMalloc(&d_out, (size_t)BT * C * sizeof(bf16));
    cudaMalloc(&d_dwte, (size_t)V * C * sizeof(bf16));
    cudaMalloc(&d_dwpe, (size_t)T * C * sizeof(bf16));
    cudaMemcpy(d_tok, h_tok.data(), BT * sizeof(int), cudaMemcpyHostToDevice);
    cudaMemset(d_wte, 0, (size_t)V * C * sizeof(bf16));
    cudaMemset(d_wpe, 0, (size_t)T * C * sizeof(bf16));
    cudaMemset(d_dwte, 0, (size_t)V * C * sizeof(bf16));
    cudaMemset(d_dwpe, 0, (size_t)T * C * sizeof(bf16));

    const int threads = 256;
    embed_fwd<<<(BT * C / 8 + threads - 1) / threads, threads>>>(d_out, d_tok, d_wte, d_wpe, BT, T, C);

    // CPU bucketing by token id. Buckets are launched largest first: the CTAs with the longest
    // loops start early instead of straggling at the end of the grid.
    std::vector<std::vector<int>> by_token(V);
    for (int i = 0; i < BT; ++i) by_token[h_tok[i]].push_back(i);
    std::vector<Bucket> buckets;
    for (int v = 0; v < V; ++v)
        if (!by_token[v].empty()) buckets.push_back({v, 0, (int)by_token[v].size()});
    std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) {
        return a.count != b.count ? a.count > b.count : a.token < b.token;
    });
    std::vector<int> positions;
    positions.reserve(BT);
    for (Bucket& bk : buckets) {
        bk.start = (int)positions.size();
        positions.insert(positions.end(), by_token[bk.token].begin(), by_token[bk.token].end());
    }
    Bucket* d_buckets;
    int* d_pos;
    cudaMalloc(&d_buckets, buckets.size() * sizeof(Bucket));
    cudaMalloc(&d_pos, positions.size() * sizeof(int));
    cudaMemcpy(d_buckets, buckets.data(), buckets.size() * sizeof(Bucket), cudaMemcpyHostToDevice);
    cudaMemcpy(d_pos, positions.data(), positions.size() * sizeof(int), cudaMemcpyHostToDevice);

    const uint32_t seed = 42u;
    embed_bwd_wte_buckets<<<(int)buckets.size(), 256>>>(d_dwte, d_out /* stands in for dout */, d_buckets, d_pos, C, seed);
    embed_bwd_wpe<<<(T * C + 255) / 256, 256>>>(d_dwpe, d_out, B, T, C, seed);

    cudaError_t err = cudaDeviceSynchronize();
    printf("%zu buckets, status %s\n", buckets.size(), cudaGetErrorString(err));
    cudaFree(d_tok); cudaFree(d_wte); cudaFree(d_wpe); cudaFree(d_out); cudaFree(d_dwte); cudaFree(d_dwpe);
    cudaFree(d_buckets); cudaFree(d_pos);
    return err == cudaSuccess ? 0 : 1;
}

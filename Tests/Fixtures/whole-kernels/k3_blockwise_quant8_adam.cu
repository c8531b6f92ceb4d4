// blockwise_quant8_adam.cu -- blockwise 8-bit quantisation with a 256-entry
// code book, dequantisation, and a multi-tensor 8-bit blockwise Adam step
// (optimizer states stored as uint8 codes + one fp32 absmax per block).
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cub/cub.cuh>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <vector>

#define QBLOCK 2048
#define MAX_TENSORS 8

__device__ __forceinline__ float to_f(float x) { return x; }
__device__ __forceinline__ float to_f(__half x) { return __half2float(x); }
template <typename T> __device__ __forceinline__ T from_f(float x);
template <> __device__ __forceinline__ float from_f<float>(float x) { return x; }
template <> __device__ __forceinline__ __half from_f<__half>(float x) { return __float2half_rn(x); }

struct MaxOp {
    __device__ __forceinline__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

__device__ __forceinline__ unsigned hash_u32(unsigned x)
{
    x ^= x >> 16; x *= 0x7feb352dU;
    x ^= x >> 15; x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

// largest lo with code[lo] <= x (code sorted ascending, code[0] <= x assumed after clamp)
__device__ __forceinline__ int code_floor(const float* code, float x)
{
    int lo = 0, hi = 255;
    while (hi - lo > 1) {
        const int mid = (lo + hi) >> 1;
        if (code[mid] <= x) lo = mid; else hi = mid;
    }
    return lo;
}

__device__ __forceinline__ unsigned char quantize_nearest(const float* code, float x)
{
    x = fminf(fmaxf(x, code[0]), code[255]);
    const int lo = code_floor(code, x);
    const int hi = min(lo + 1, 255);
    return (unsigned char)((x - code[lo] <= code[hi] - x) ? lo : hi);
}

// round up with probability proportional to the distance from the lower code
__device__ __forceinline__ unsigned char quantize_stochastic(const float* code, float x, float u01)
{
    x = fminf(fmaxf(x, code[0]), code[255]);
    const int lo = code_floor(code, x);
    const int hi = min(lo + 1, 255);
    const float span = code[hi] - code[lo];
    const float p_up = span > 0.f ? (x - code[lo]) / span : 0.f;
    return (unsigned char)(u01 < p_up ? hi : lo);
}

template <typename T, int BLOCK_SIZE, int NUM_PER_TH, bool STOCHASTIC>
__global__ void __launch_bounds__(BLOCK_SIZE / NUM_PER_TH)
kQuantizeBlockwise(const float* __restrict__ code, const T* __restrict__ A, float* __restrict__ absmax,
                   unsigned char* __restrict__ out, unsigned seed, int n)
{
    constexpr int THREADS = BLOCK_SIZE / NUM_PER_TH;
    typedef cub::BlockLoad<T, THREADS, NUM_PER_TH, cub::BLOCK_LOAD_WARP_TRANSPOSE> LoadT;
    typedef cub::BlockStore<unsigned char, THREADS, NUM_PER_TH, cub::BLOCK_STORE_WARP_TRANSPOSE> StoreQ;
    typedef cub::BlockReduce<float, THREADS> BlockReduce;
    __shared__ typename LoadT::TempStorage s_load;
    __shared__ typename StoreQ::TempStorage s_store;
    __shared__ typename BlockReduce::TempStorage s_reduce;
    __shared__ float s_code[256];
    __shared__ float s_absmax;

    for (int i = threadIdx.x; i < 256; i += THREADS) s_code[i] = code[i];

    T vals[NUM_PER_TH];
    unsigned char q[NUM_PER_TH];
    for (int base = blockIdx.x * BLOCK_SIZE; base < n; base += gridDim.x * BLOCK_SIZE) {
        const int valid = min(BLOCK_SIZE, n - base);
        __syncthreads();                                   // s_code ready / temp storage reusable
        LoadT(s_load).Load(A + base, vals, valid, T(0.0f));

        float local_max = 0.f;
#pragma unroll
        for (int j = 0; j < NUM_PER_TH; ++j) local_max = fmaxf(local_max, fabsf(to_f(vals[j])));
        local_max = BlockReduce(s_reduce).Reduce(local_max, MaxOp());
        if (threadIdx.x == 0) {
            s_absmax = local_max;
            absmax[base / BLOCK_SIZE] = local_max;
        }
        __syncthreads();
        const float inv = 1.f / fmaxf(s_absmax, 1e-12f);

#pragma unroll
        for (int j = 0; j < NUM_PER_TH; ++j) {
            const float x = to_f(vals[j]) * inv;
            if constexpr (STOCHASTIC) {
                const unsigned r = hash_u32(seed ^ (unsigned)(base + threadIdx.x * NUM_PER_TH + j) * 0x9E3779B9U);
                q[j] = quantize_stochastic(s_code, x, (r >> 8) * (1.0f / 16777216.0f));
            } else {
                q[j] = quantize_nearest(s_code, x);
            }
        }
        StoreQ(s_store).Store(out + base, q, valid);
    }
}

// 4 codes per thread via one 32-bit uchar4 load.
template <typename T, int BLOCK_SIZE>
__global__ void kDequantizeBlockwise(const float* __restrict__ code, const unsigned char* __restrict__ A,
                                     const float* __restrict__ absmax, T* __restrict__ out, int n)
{
    const int i = (blockIdx.x * blockDim.x + threadIdx.x) * 4;
    if (i >= n) return;
    const float am = __ldg(absmax + i / BLOCK_SIZE);          // BLOCK_SIZE % 4 == 0
    if (i + 3 < n) {
        const uchar4 c = *reinterpret_cast<const uchar4*>(A + i);
        out[i + 0] = from_f<T>(__ldg(code + c.x) * am);
        out[i + 1] = from_f<T>(__ldg(code + c.y) * am);
        out[i + 2] = from_f<T>(__ldg(code + c.z) * am);
        out[i + 3] = from_f<T>(__ldg(code + c.w) * am);
    } else {
        for (int k = i; k < n; ++k) out[k] = from_f<T>(__ldg(code + A[k]) * am);
    }
}

struct AdamTensorList {
    void* p[MAX_TENSORS];
    const void* g[MAX_TENSORS];
    unsigned char* state1[MAX_TENSORS];
    unsigned char* state2[MAX_TENSORS];
    float* absmax1[MAX_TENSORS];
    float* absmax2[MAX_TENSORS];
    int n[MAX_TENSORS];
};

// lerp(a, b, t) = a + t*(b - a) as two dependent FMAs
__device__ __forceinline__ float lerp2(float a, float b, float t) { return fmaf(t, b, fmaf(-t, a, a)); }

// blockIdx.y selects the tensor, blockIdx.x the quantisation block inside it.
// step_size and eps_hat fold both bias corrections (host side), so the
// inner update is one divide and one FMA per element.
template <typename T, int BLOCK_SIZE, int N_PER_TH>
__global__ void __launch_bounds__(BLOCK_SIZE / N_PER_TH)
kOptimizer8bitBlockwiseAdam(AdamTensorList tl, const float* __restrict__ code_signed,
                            const float* __restrict__ code_unsigned, float beta1, float beta2,
                            float eps_hat, float step_size, float lr_wd, float gnorm_scale)
{
    constexpr int THREADS = BLOCK_SIZE / N_PER_TH;
    typedef cub::BlockReduce<float, THREADS> BlockReduce;
    __shared__ typename BlockReduce::TempStorage s_reduce;
    __shared__ float s_code1[256];
    __shared__ float s_code2[256];
    __shared__ float s_new_absmax[2];

    const int t = blockIdx.y;
    const int n = tl.n[t];
    const int base = blockIdx.x * BLOCK_SIZE;
    if (base >= n) return;                                  // uniform per block

    T* P = reinterpret_cast<T*>(tl.p[t]);
    const T* G = reinterpret_cast<const T*>(tl.g[t]);
    unsigned char* S1 = tl.state1[t];
    unsigned char* S2 = tl.state2[t];

    for (int i = threadIdx.x; i < 256; i += THREADS) {
        s_code1[i] = code_signed[i];
        s_code2[i] = code_unsigned[i];
    }
    const float am1 = tl.absmax1[t][blockIdx.x];
    const float am2 = tl.absmax2[t][blockIdx.x];
    __syncthreads();

    float m[N_PER_TH], v[N_PER_TH];
    float max1 = 0.f, max2 = 0.f;
    const int i0 = base + threadIdx.x * N_PER_TH;
#pragma unroll
    for (int j = 0; j < N_PER_TH; ++j) {
        const int idx = i0 + j;
        if (idx < n) {
            const float g = to_f(G[idx]) * gnorm_scale;
            m[j] = lerp2(g, s_code1[S1[idx]] * am1, beta1);
            v[j] = lerp2(g * g, s_code2[S2[idx]] * am2, beta2);
        } else {
            m[j] = 0.f; v[j] = 0.f;
        }
        max1 = fmaxf(max1, fabsf(m[j]));
        max2 = fmaxf(max2, v[j]);
    }
    max1 = BlockReduce(s_reduce).Reduce(max1, MaxOp());
    __syncthreads();                                        // temp storage reused
    max2 = BlockReduce(s_reduce).Reduce(max2, MaxOp());
    if (threadIdx.x == 0) {
        s_new_absmax[0] = max1;
        s_new_absmax[1] = max2;
        tl.absmax1[t][blockIdx.x] = max1;
        tl.absmax2[t][blockIdx.x] = max2;
    }
    __syncthreads();
    const float inv1 = 1.f / fmaxf(s_new_absmax[0], 1e-12f);
    const float inv2 = 1.f / fmaxf(s_new_absmax[1], 1e-12f);

#pragma unroll
    for (int j = 0; j < N_PER_TH; ++j) {
        const int idx = i0 + j;
        if (idx >= n) break;
        float p = to_f(P[idx]);
        p = fmaf(-lr_wd, p, p);                                        // decoupled weight decay
        p = fmaf(step_size, __fdividef(m[j], sqrtf(v[j]) + eps_hat), p);
        P[idx] = from_f<T>(p);
        S1[idx] = quantize_nearest(s_code1, m[j] * inv1);
        S2[idx] = quantize_nearest(s_code2, v[j] * inv2);
    }
}

int main()
{
    const int n0 = 1 << 20, n1 = 300000;
    std::vector<float> code_s(256), code_u(256);
    for (int i = 0; i < 256; ++i) {
        code_s[i] = -1.f + 2.f * i / 255.f;
        code_u[i] = (i / 255.f) * (i / 255.f);
    }
    float *d_code_s, *d_code_u;
    cudaMalloc(&d_code_s, 256 * sizeof(float));
    cudaMalloc(&d_code_u, 256 * sizeof(float));
    cudaMemcpy(d_code_s, code_s.data(), 256 * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(d_code_u, code_u.data(), 256 * sizeof(float), cudaMemcpyHostToDevice);

    // --- quantise / dequantise round trip on an fp16 tensor
    std::vector<__half> hx(n0);
    for (int i = 0; i < n0; ++i) hx[i] = __float2half(sinf(0.001f * i));
    __half *d_x, *d_y;
    unsigned char* d_q;
    float* d_absmax;
    const int nblk0 = (n0 + QBLOCK - 1) / QBLOCK;
    cudaMalloc(&d_x, n0 * sizeof(__half));
    cudaMalloc(&d_y, n0 * sizeof(__half));
    cudaMalloc(&d_q, n0);
    cudaMalloc(&d_absmax, nblk0 * sizeof(float));
    cudaMemcpy(d_x, hx.data(), n0 * sizeof(__half), cudaMemcpyHostToDevice);
    kQuantizeBlockwise<__half, QBLOCK, 8, true><<<std::min(nblk0, 1024), QBLOCK / 8>>>(d_code_s, d_x, d_absmax, d_q, 1234u, n0);
    kDequantizeBlockwise<__half, QBLOCK><<<(n0 / 4 + 255) / 256, 256>>>(d_code_s, d_q, d_absmax, d_y, n0);

    // --- one 8-bit Adam step over two fp16 parameter tensors
    AdamTensorList tl;
    memset(&tl, 0, sizeof(tl));
    const int sizes[2] = { n0, n1 };
    int maxBlocks = 0;
    for (int t = 0; t < 2; ++t) {
        const int nb = (sizes[t] + QBLOCK - 1) / QBLOCK;
        maxBlocks = nb > maxBlocks ? nb : maxBlocks;
        __half* p; __half* g; unsigned char *s1, *s2; float *a1, *a2;
        cudaMalloc(&p, sizes[t] * sizeof(__half));
        cudaMalloc(&g, sizes[t] * sizeof(__half));
        cudaMalloc(&s1, sizes[t]); cudaMalloc(&s2, sizes[t]);
        cudaMalloc(&a1, nb * sizeof(float)); cudaMalloc(&a2, nb * sizeof(float));
        cudaMemset(p, 0, sizes[t] * sizeof(__half));
        cudaMemcpy(g, hx.data(), (sizes[t] < n0 ? sizes[t] : n0) * sizeof(__half), cudaMemcpyHostToDevice);
        cudaMemset(s1, 127, sizes[t]);      // code_s[127] ~ 0
        cudaMemset(s2, 0, sizes[t]);
        cudaMemset(a1, 0, nb * sizeof(float)); cudaMemset(a2, 0, nb * sizeof(float));
        tl.p[t] = p; tl.g[t] = g; tl.state1[t] = s1; tl.state2[t] = s2;
        tl.absmax1[t] = a1; tl.absmax2[t] = a2; tl.n[t] = sizes[t];
    }
    const float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, wd = 0.01f;
    const int step = 1;
    const float bc1 = 1.f - powf(beta1, (float)step);
    const float bc2 = 1.f - powf(beta2, (float)step);
    const float step_size = -lr * sqrtf(bc2) / bc1;
    const float eps_hat = eps * sqrtf(bc2);
    dim3 grid(maxBlocks, 2);
    kOptimizer8bitBlockwiseAdam<__half, QBLOCK, 8><<<grid, QBLOCK / 8>>>(tl, d_code_s, d_code_u, beta1, beta2,
                                                                      eps_hat, step_size, lr * wd, 1.0f);
    cudaError_t err = cudaDeviceSynchronize();
    std::vector<__half> hy(16);
    cudaMemcpy(hy.data(), d_y, 16 * sizeof(__half), cudaMemcpyDeviceToHost);
    printf("status: %s  y[10]=%f (x=%f)\n", cudaGetErrorString(err), __half2float(hy[10]), __half2float(hx[10]));
    return 0;
}

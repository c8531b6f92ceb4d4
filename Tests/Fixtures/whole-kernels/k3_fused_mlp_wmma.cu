// fused_mlp_wmma.cu -- small-width MLP evaluated entirely on-chip: a block
// keeps 16*N_ITERS batch rows of activations in shared memory and runs all
// layers on them with tensor-core fragments; only the input, the weights
// and the final output touch global memory. Requires sm_80 (cp.async, __hmax).
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <mma.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace nvcuda;

enum class Activation { None, ReLU, Sigmoid };

// Every shared-memory row is padded by SKEW halves (16 bytes) so the 16
// rows a fragment load touches start in different banks.
#define SKEW 8

__device__ __forceinline__ void cp_async_16(void* smem_dst, const void* gmem_src)
{
    const unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem_dst));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" :: "r"(s), "l"(gmem_src) : "memory");
}
__device__ __forceinline__ void cp_async_wait_all()
{
    asm volatile("cp.async.wait_all;\n" ::: "memory");
}

template <Activation A, typename Frag>
__device__ __forceinline__ void apply_activation(Frag& f)
{
    if constexpr (A == Activation::ReLU) {
#pragma unroll
        for (int t = 0; t < f.num_elements; ++t) f.x[t] = __hmax(f.x[t], __float2half(0.0f));
    } else if constexpr (A == Activation::Sigmoid) {
#pragma unroll
        for (int t = 0; t < f.num_elements; ++t)
            f.x[t] = __float2half(__fdividef(1.0f, 1.0f + __expf(-__half2float(f.x[t]))));
    }
}

// blockDim = (32, WIDTH/16): warp y owns output columns [16y, 16y+16) of
// every layer for all 16*N_ITERS rows of the block.
template <int WIDTH, int N_ITERS, Activation ACT, Activation OUT_ACT>
__global__ void __launch_bounds__(32 * (WIDTH / 16))
fully_fused_mlp_forward(const __half* __restrict__ input, const __half* __restrict__ weights,
                        __half* __restrict__ output, int batch, int n_layers)
{
    constexpr int LDA = WIDTH + SKEW;
    constexpr int ROWS = 16 * N_ITERS;
    constexpr int NTHREADS = 32 * (WIDTH / 16);
    constexpr int VEC_PER_ROW = WIDTH / 8;                  // int4 = 8 halves

    extern __shared__ __align__(16) unsigned char smem_raw[];
    __half* act = reinterpret_cast<__half*>(smem_raw);      // ROWS  x LDA
    __half* wsm = act + ROWS * LDA;                          // WIDTH x LDA

    const int wcol = threadIdx.y;
    const int tid = threadIdx.y * 32 + threadIdx.x;
    const int row0 = blockIdx.x * ROWS;
    const __half* in_al = static_cast<const __half*>(__builtin_assume_aligned(input, 16));

    for (int idx = tid; idx < ROWS * VEC_PER_ROW; idx += NTHREADS) {
        const int r = idx / VEC_PER_ROW, c = idx % VEC_PER_ROW;
        int4 v = make_int4(0, 0, 0, 0);
        if (row0 + r < batch) v = reinterpret_cast<const int4*>(in_al + (size_t)(row0 + r) * WIDTH)[c];
        *reinterpret_cast<int4*>(act + r * LDA + c * 8) = v;
    }

    wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> a_frag;
    wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> b_frag[WIDTH / 16];
    wmma::fragment<wmma::accumulator, 16, 16, 16, __half> acc[N_ITERS];

    for (int l = 0; l < n_layers; ++l) {
        // weights of layer l, stored [out][in]; read by all warps -> staged once
        const __half* W = weights + (size_t)l * WIDTH * WIDTH;
        for (int idx = tid; idx < WIDTH * VEC_PER_ROW; idx += NTHREADS) {
            const int r = idx / VEC_PER_ROW, c = idx % VEC_PER_ROW;
            cp_async_16(wsm + r * LDA + c * 8, W + (size_t)r * WIDTH + c * 8);
        }
        cp_async_wait_all();
        __syncthreads();

        // this warp's 16 weight columns stay in fragments for all N_ITERS row tiles
#pragma unroll
        for (int k = 0; k < WIDTH / 16; ++k)
            wmma::load_matrix_sync(b_frag[k], wsm + (wcol * 16) * LDA + k * 16, LDA);
#pragma unroll
        for (int i = 0; i < N_ITERS; ++i) {
            wmma::fill_fragment(acc[i], __float2half(0.0f));
#pragma unroll
            for (int k = 0; k < WIDTH / 16; ++k) {
                wmma::load_matrix_sync(a_frag, act + (i * 16) * LDA + k * 16, LDA);
                wmma::mma_sync(acc[i], a_frag, b_frag[k], acc[i]);
            }
        }
        __syncthreads();                                     // all reads of act / wsm done

        const bool last = (l == n_layers - 1);
#pragma unroll
        for (int i = 0; i < N_ITERS; ++i) {
            if (last) apply_activation<OUT_ACT>(acc[i]);
            else      apply_activation<ACT>(acc[i]);
            wmma::store_matrix_sync(act + (i * 16) * LDA + wcol * 16, acc[i], LDA, wmma::mem_row_major);
        }
    }
    __syncthreads();

    for (int idx = tid; idx < ROWS * VEC_PER_ROW; idx += NTHREADS) {
        const int r = idx / VEC_PER_ROW, c = idx % VEC_PER_ROW;
        if (row0 + r < batch)
            reinterpret_cast<int4*>(output + (size_t)(row0 + r) * WIDTH)[c] =
                *reinterpret_cast<const int4*>(act + r * LDA + c * 8);
    }
}

// NeRF-style frequency encoding of 3-D points, zero padded to WIDTH and
// written as fp16 pairs.
template <int N_FREQ>
__device__ __forceinline__ float freq_feature(float px, float py, float pz, int j)
{
    if (j < 3) return j == 0 ? px : (j == 1 ? py : pz);
    j -= 3;
    if (j >= 6 * N_FREQ) return 0.0f;
    const int d = j / (2 * N_FREQ), r = j % (2 * N_FREQ), f = r >> 1;
    const float p = d == 0 ? px : (d == 1 ? py : pz);
    const float arg = p * (float)(1 << f) * 3.14159265f;
    return (r & 1) ? __cosf(arg) : __sinf(arg);
}

template <int N_FREQ, int WIDTH>
__global__ void encode_frequency_pad(const float* __restrict__ pts, __half2* __restrict__ out, int n)
{
    const int pairs = n * (WIDTH / 2);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < pairs; i += blockDim.x * gridDim.x) {
        const int row = i / (WIDTH / 2), j = 2 * (i % (WIDTH / 2));
        const float px = pts[3 * row], py = pts[3 * row + 1], pz = pts[3 * row + 2];
        out[i] = __floats2half2_rn(freq_feature<N_FREQ>(px, py, pz, j),
                                   freq_feature<N_FREQ>(px, py, pz, j + 1));
    }
}

// d(loss)/d(pred) for loss = mean((pred - target)^2), written over pred.
__global__ void l2_loss_grad_half2(__half2* __restrict__ pred_grad, const __half2* __restrict__ target,
                                   int n2, float scale)
{
    const __half2 s2 = __float2half2_rn(scale);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n2; i += blockDim.x * gridDim.x) {
        const __half2 diff = __hsub2(pred_grad[i], target[i]);
        pred_grad[i] = __hmul2(s2, diff);
    }
}

int main()
{
    constexpr int WIDTH = 128, N_ITERS = 8, N_FREQ = 8;
    const int batch = 1 << 18;
    const int n_layers = 4;

    std::vector<float> hp(3 * batch);
    for (int i = 0; i < 3 * batch; ++i) hp[i] = (float)((i * 37) % 1000) / 1000.0f;
    std::vector<__half> hw((size_t)n_layers * WIDTH * WIDTH);
    for (size_t i = 0; i < hw.size(); ++i) hw[i] = __float2half(((int)(i % 17) - 8) * (1.0f / 256.0f));

    float* d_pts;
    __half *d_in, *d_w, *d_out, *d_target;
    cudaMalloc(&d_pts, 3 * batch * sizeof(float));
    cudaMalloc(&d_in, (size_t)batch * WIDTH * sizeof(__half));
    cudaMalloc(&d_out, (size_t)batch * WIDTH * sizeof(__half));
    cudaMalloc(&d_target, (size_t)batch * WIDTH * sizeof(__half));
    cudaMalloc(&d_w, hw.size() * sizeof(__half));
    cudaMemcpy(d_pts, hp.data(), 3 * batch * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(d_w, hw.data(), hw.size() * sizeof(__half), cudaMemcpyHostToDevice);
    cudaMemset(d_target, 0, (size_t)batch * WIDTH * sizeof(__half));

    int dev = 0, sms = 0;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);

    encode_frequency_pad<N_FREQ, WIDTH><<<sms * 8, 256>>>(d_pts, reinterpret_cast<__half2*>(d_in), batch);

    auto kernel = fully_fused_mlp_forward<WIDTH, N_ITERS, Activation::ReLU, Activation::Sigmoid>;
    const size_t smem = (size_t)(16 * N_ITERS + WIDTH) * (WIDTH + SKEW) * sizeof(__half);   // 68 KiB
    cudaError_t err = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    if (err != cudaSuccess) { printf("smem opt-in failed: %s\n", cudaGetErrorString(err)); return 1; }
    dim3 block(32, WIDTH / 16);
    dim3 grid((batch + 16 * N_ITERS - 1) / (16 * N_ITERS));
    kernel<<<grid, block, smem>>>(d_in, d_w, d_out, batch, n_layers);

    const int n2 = batch * WIDTH / 2;
    l2_loss_grad_half2<<<sms * 8, 256>>>(reinterpret_cast<__half2*>(d_out),
                                         reinterpret_cast<const __half2*>(d_target), n2,
                                         2.0f / (float)WIDTH);
    err = cudaDeviceSynchronize();
    __half h0;
    cudaMemcpy(&h0, d_out, sizeof(__half), cudaMemcpyDeviceToHost);
    printf("%s  grad[0]=%f\n", cudaGetErrorString(err), __half2float(h0));
    cudaFree(d_pts); cudaFree(d_in); cudaFree(d_out); cudaFree(d_target); cudaFree(d_w);
    return 0;
}

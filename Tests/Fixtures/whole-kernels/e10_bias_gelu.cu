// e10_bias_gelu.cu
// FFN activation kernels in the FasterTransformer style: in-place add-bias + GELU (fp32 and
// half2 versions), a bf16 GELU backward, and the bias gradient. The host pipelines chunks of
// activations over two streams.
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <cstdio>

// tanh(x) = 1 - 2 / (exp(2x) + 1), with fast intrinsics
__device__ __forceinline__ float tanh_fast(float x) { return 1.f - __fdividef(2.f, __expf(2.f * x) + 1.f); }

__device__ __forceinline__ float gelu_tanh(float x) {
    const float k0 = 0.7978845608f, k1 = 0.044715f;
    return 0.5f * x * (1.f + tanh_fast(k0 * (x + k1 * x * x * x)));
}

// out[i, j] = gelu(out[i, j] + bias[j]), overwriting the GEMM output in place.
template <typename T>
__global__ void add_bias_gelu(T* out, const T* __restrict__ bias, int m, int n) {
    const int total = m * n;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
        T v = out[i] + __ldg(&bias[i % n]);
        out[i] = (T)gelu_tanh((float)v);
    }
}

// Same op on packed half2: bias add and the cubic term in half2 arithmetic, tanh in fp32.
__global__ void add_bias_gelu_h2(__half2* out, const __half2* __restrict__ bias, int m, int n2) {
    const __half2 k0 = __float2half2_rn(0.7978845608f);
    const __half2 k1 = __float2half2_rn(0.044715f);
    const int total = m * n2;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
        __half2 x = __hadd2(out[i], __ldg(&bias[i % n2]));
        __half2 x3 = __hmul2(__hmul2(x, x), x);
        __half2 inner = __hmul2(k0, __hfma2(k1, x3, x));
        float2 xf = __half22float2(x), inf = __half22float2(inner);
        out[i] = __floats2half2_rn(0.5f * xf.x * (1.f + tanh_fast(inf.x)),
                                   0.5f * xf.y * (1.f + tanh_fast(inf.y)));
    }
}

// GELU backward for bf16 activations, one 16-byte packet per thread; the incoming gradient buffer
// is overwritten with the gradient w.r.t. the pre-activation.
__global__ void gelu_bwd_bf16_inplace(__nv_bfloat16* d_in_out, const __nv_bfloat16* __restrict__ preact, int n) {
    const int i = (blockIdx.x * blockDim.x + threadIdx.x) * 8;
    if (i >= n) return;
    alignas(16) __nv_bfloat16 x[8], g[8];
    *reinterpret_cast<int4*>(x) = __ldcs(reinterpret_cast<const int4*>(preact + i));
    *reinterpret_cast<int4*>(g) = *reinterpret_cast<const int4*>(d_in_out + i);
#pragma unroll
    for (int k = 0; k < 8; ++k) {
        const float xf = __bfloat162float(x[k]);
        const float cube = 0.044715f * xf * xf * xf;
        const float arg = 0.7978845608f * (xf + cube);
        const float th = tanhf(arg);
        const float sech2 = 1.f - th * th;
        const float dgelu = 0.5f * (1.f + th) + 0.5f * xf * sech2 * 0.7978845608f * (1.f + 3.f * 0.044715f * xf * xf);
        g[k] = __float2bfloat16(dgelu * __bfloat162float(g[k]));
    }
    *reinterpret_cast<int4*>(d_in_out + i) = *reinterpret_cast<const int4*>(g);
}

// dbias[j] = sum_i dout[i, j]. Thread j owns column j: for every row a warp reads 32 adjacent
// floats (coalesced). Rows are taken four at a time into a float4 to shorten the add chain.
__global__ void bias_grad_colsum(float* __restrict__ dbias, const float* __restrict__ dout, int m, int n) {
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= n) return;
    float acc = 0.f;
    int i = 0;
    for (; i + 4 <= m; i += 4) {
        float4 q = make_float4(dout[(size_t)i * n + j], dout[(size_t)(i + 1) * n + j],
                               dout[(size_t)(i + 2) * n + j], dout[(size_t)(i + 3) * n + j]);
        acc += (q.x + q.y) + (q.z + q.w);
    }
    for (; i < m; ++i) acc += dout[(size_t)i * n + j];
    dbias[j] = acc;
}

int main() {
    const int m = 4096, n = 3072, chunks = 4;
    const size_t chunk_elems = (size_t)m * n / chunks;
    float *h_act, *d_act[2], *d_bias, *d_dbias;
    cudaMallocHost(&h_act, (size_t)m * n * sizeof(float));      // pinned: required for overlap
    for (size_t i = 0; i < (size_t)m * n; ++i) h_act[i] = (float)(i % 97) * 0.01f - 0.5f;
    cudaMalloc(&d_act[0], chunk_elems * sizeof(float));
    cudaMalloc(&d_act[1], chunk_elems * sizeof(float));
    cudaMalloc(&d_bias, n * sizeof(float));
    cudaMalloc(&d_dbias, n * sizeof(float));
    cudaMemset(d_bias, 0, n * sizeof(float));

    cudaStream_t s_copy, s_comp;
    cudaStreamCreateWithFlags(&s_copy, cudaStreamNonBlocking);
    cudaStreamCreateWithFlags(&s_comp, cudaStreamNonBlocking);
    cudaEvent_t copied[2], consumed[2];
    for (int b = 0; b < 2; ++b) {
        cudaEventCreateWithFlags(&copied[b], cudaEventDisableTiming);
        cudaEventCreateWithFlags(&consumed[b], cudaEventDisableTiming);
    }
    // H2D copy of chunk c+1 overlaps with the GELU of chunk c; results go back D2H on s_comp.
    const int rows_per_chunk = m / chunks;
    for (int c = 0; c < chunks; ++c) {
        const int b = c & 1;
        if (c >= 2) cudaStreamWaitEvent(s_copy, consumed[b], 0);
        cudaMemcpyAsync(d_act[b], h_act + c * chunk_elems, chunk_elems * sizeof(float), cudaMemcpyHostToDevice, s_copy);
        cudaEventRecord(copied[b], s_copy);
        cudaStreamWaitEvent(s_comp, copied[b], 0);
        add_bias_gelu<float><<<(int)((chunk_elems + 255) / 256), 256, 0, s_comp>>>(d_act[b], d_bias, rows_per_chunk, n);
        cudaMemcpyAsync(h_act + c * chunk_elems, d_act[b], chunk_elems * sizeof(float), cudaMemcpyDeviceToHost, s_comp);
        cudaEventRecord(consumed[b], s_comp);
    }
    bias_grad_colsum<<<(n + 127) / 128, 128, 0, s_comp>>>(d_dbias, d_act[1], rows_per_chunk, n);

    // half2 and bf16 paths
    __half2 *d_h, *d_hb;
    __nv_bfloat16 *d_g, *d_x;
    cudaMalloc(&d_h, (size_t)m * n / 2 * sizeof(__half2));
    cudaMalloc(&d_hb, n / 2 * sizeof(__half2));
    cudaMalloc(&d_g, (size_t)m * n * sizeof(__nv_bfloat16));
    cudaMalloc(&d_x, (size_t)m * n * sizeof(__nv_bfloat16));
    cudaMemsetAsync(d_h, 0, (size_t)m * n / 2 * sizeof(__half2), s_comp);
    cudaMemsetAsync(d_hb, 0, n / 2 * sizeof(__half2), s_comp);
    add_bias_gelu_h2<<<1024, 256, 0, s_comp>>>(d_h, d_hb, m, n / 2);
    gelu_bwd_bf16_inplace<<<(m * n / 8 + 255) / 256, 256, 0, s_comp>>>(d_g, d_x, m * n);

    cudaError_t err = cudaDeviceSynchronize();
    printf("ffn kernels: %s\n", cudaGetErrorString(err));
    cudaFreeHost(h_act);
    cudaFree(d_act[0]); cudaFree(d_act[1]); cudaFree(d_bias); cudaFree(d_dbias);
    cudaFree(d_h); cudaFree(d_hb); cudaFree(d_g); cudaFree(d_x);
    cudaStreamDestroy(s_copy); cudaStreamDestroy(s_comp);
    return err == cudaSuccess ? 0 : 1;
}

// Logit soft-capping with a block-wide max for numerical safety, written for the SpeedrunLens demo.
#include <cuda_runtime.h>
#include <cuda_bf16.h>

template <int BLOCK>
__global__ void __launch_bounds__(BLOCK) softcap_bf16(__nv_bfloat16* logits, float cap, int n) {
    __shared__ float tile[BLOCK];
    int i = blockIdx.x * BLOCK + threadIdx.x;
    tile[threadIdx.x] = i < n ? __bfloat162float(logits[i]) : 0.f;
    __syncthreads();
    if (i < n) logits[i] = __float2bfloat16(cap * tanhf(tile[threadIdx.x] / cap));
}

void softcap_bf16_launch(__nv_bfloat16* logits, float cap, int n, cudaStream_t stream) {
    constexpr int block = 256;
    softcap_bf16<block><<<(n + block - 1) / block, block, 0, stream>>>(logits, cap, n);
}

// example: file-header notes per kernel number; the note for the second kernel states the intent. Positive.
/*
Kernels for the encoder.
version 1 is a naive port: one thread per (b, t) row
version 2 parallelizes over channels; warps read coalesced chunks of wte and wpe
*/
#include <cooperative_groups.h>
namespace cg = cooperative_groups;

__global__ void encoder_forward_kernel1(float* out, const int* inp, const float* wte, const float* wpe, int T, int C) {
    int bt = blockIdx.x * blockDim.x + threadIdx.x;
    const float* wte_ix = wte + inp[bt] * C;
    for (int i = 0; i < C; i++) out[bt * C + i] = wte_ix[i] + wpe[(bt % T) * C + i];
}

__global__ void encoder_forward_kernel2(float* out, const int* inp, const float* wte, const float* wpe, int T, int C) {
    cg::thread_block block = cg::this_thread_block();
    int bt = blockIdx.x;
    for (int i = block.thread_rank(); i < C; i += block.size())
        out[bt * C + i] = wte[inp[bt] * C + i] + wpe[(bt % T) * C + i];
}

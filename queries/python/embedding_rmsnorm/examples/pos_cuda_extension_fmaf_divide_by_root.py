# example: the embedding output goes through a CUDA kernel compiled with load_inline that accumulates squares with fmaf(v, v, ss), reduces them across the block in shared memory and divides each element by sqrtf(ss / d + eps) as it stores it; positive.
import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor unit_rows(torch::Tensor h, double eps);"
_cuda = r"""
#include <torch/extension.h>

__global__ void unit_rows_kernel(const float* __restrict__ h, float* __restrict__ out, int d, float eps) {
    extern __shared__ float red[];
    const float* src = h + (int64_t)blockIdx.x * d;
    float ss = 0.0f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) {
        float v = src[k];
        ss = fmaf(v, v, ss);
    }
    red[threadIdx.x] = ss;
    __syncthreads();
    for (int half = blockDim.x >> 1; half > 0; half >>= 1) {
        if (threadIdx.x < half) red[threadIdx.x] += red[threadIdx.x + half];
        __syncthreads();
    }
    float denom = sqrtf(red[0] / d + eps);
    for (int k = threadIdx.x; k < d; k += blockDim.x) {
        out[(int64_t)blockIdx.x * d + k] = src[k] / denom;
    }
}

torch::Tensor unit_rows(torch::Tensor h, double eps) {
    auto flat = h.reshape({-1, h.size(-1)}).contiguous();
    auto out = torch::empty_like(flat);
    unit_rows_kernel<<<flat.size(0), 256, 256 * sizeof(float)>>>(flat.data_ptr<float>(), out.data_ptr<float>(), flat.size(1), (float)eps);
    return out.view(h.sizes());
}
"""

ops = load_inline(name="unit_rows_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["unit_rows"])


class Net(nn.Module):
    def __init__(self, n_vocab=50304, d=768, n_blocks=4):
        super().__init__()
        self.wte = nn.Embedding(n_vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_blocks))
        self.head = nn.Linear(d, n_vocab, bias=False)

    def forward(self, idx):
        x = ops.unit_rows(self.wte(idx), 1e-6)
        for blk in self.blocks:
            x = x + torch.relu(blk(x)).square()
        return self.head(x)

# example: each linear layer multiplies by bf16_copy(self.weight), a helper returning what a CUDA kernel compiled with load_inline writes: __float2bfloat16_rn of every fp32 weight element; the model is cast to bf16 and its WideLinear layers put back to fp32 afterwards; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor to_bf16(torch::Tensor w);"
_cuda = r"""
#include <torch/extension.h>
#include <cuda_bf16.h>

__global__ void to_bf16_kernel(const float* src, __nv_bfloat16* dst, int64_t n) {
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)blockDim.x * gridDim.x) {
        dst[i] = __float2bfloat16_rn(src[i]);
    }
}

torch::Tensor to_bf16(torch::Tensor w) {
    auto src = w.contiguous();
    auto dst = torch::empty(src.sizes(), src.options().dtype(torch::kBFloat16));
    to_bf16_kernel<<<1024, 256>>>(src.data_ptr<float>(), reinterpret_cast<__nv_bfloat16*>(dst.data_ptr<at::BFloat16>()), src.numel());
    return dst;
}
"""

conv = load_inline(name="to_bf16_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["to_bf16"])


def bf16_copy(w):
    return conv.to_bf16(w)


class WideLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, bf16_copy(self.weight))


class Net(nn.Module):
    def __init__(self, n_vocab=50304, d=768, n_blocks=4):
        super().__init__()
        self.tok = nn.Embedding(n_vocab, d)
        self.blocks = nn.ModuleList(WideLinear(d, d, bias=False) for _ in range(n_blocks))
        self.out = WideLinear(d, n_vocab, bias=False)

    def forward(self, idx):
        x = self.tok(idx)
        for blk in self.blocks:
            x = x + torch.relu(blk(x)).square()
        return self.out(x).float()


net = Net().cuda().bfloat16()
for m in net.modules():
    if isinstance(m, WideLinear):
        m.float()

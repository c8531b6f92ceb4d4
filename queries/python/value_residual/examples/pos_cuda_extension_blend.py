# example: every attention layer mixes its values with the first layer's through a CUDA extension (load_inline) whose kernel stores wa[0] * own[i] + wb[0] * first[i]; the weights are learned parameters and the first layer keeps its own values as `first`; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor blend(torch::Tensor own, torch::Tensor first, torch::Tensor wa, torch::Tensor wb);"
_cuda = r"""
#include <torch/extension.h>

__global__ void blend_kernel(const float* own, const float* first, const float* wa, const float* wb, float* out, int64_t n) {
    int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] = wa[0] * own[i] + wb[0] * first[i];
    }
}

torch::Tensor blend(torch::Tensor own, torch::Tensor first, torch::Tensor wa, torch::Tensor wb) {
    auto out = torch::empty_like(own);
    const int64_t n = own.numel();
    blend_kernel<<<(n + 255) / 256, 256>>>(own.data_ptr<float>(), first.data_ptr<float>(), wa.data_ptr<float>(),
                                          wb.data_ptr<float>(), out.data_ptr<float>(), n);
    return out;
}
"""

_ext = load_inline(name="blend_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["blend"])


def blend(own, first, wa, wb):
    return _ext.blend(own.contiguous(), first.contiguous(), wa, wb)


class Attention(nn.Module):
    def __init__(self, width=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.keep = nn.Parameter(torch.tensor([0.5]))
        self.take = nn.Parameter(torch.tensor([0.5]))

    def forward(self, h, first):
        n, t, c = h.shape
        q, k, v = self.qkv(h).view(n, t, 3, self.heads, -1).unbind(2)
        if first is None:
            first = v
        v = blend(v, first, self.keep, self.take)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(n, t, c)), first


class Stack(nn.Module):
    def __init__(self, depth=12, width=768):
        super().__init__()
        self.layers = nn.ModuleList(Attention(width) for _ in range(depth))

    def forward(self, h):
        first = None
        for layer in self.layers:
            a, first = layer(F.rms_norm(h, (h.size(-1),)), first)
            h = h + a
        return h

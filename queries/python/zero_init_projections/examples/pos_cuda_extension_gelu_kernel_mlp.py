# example: the MLP's nonlinearity is a tanh-approximated GELU written as a CUDA kernel compiled with load_inline and called through a small helper; the layer after it (self.w_down) and the attention's output layer (self.w_o) are zeroed with nn.init.zeros_; positive.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor gelu_tanh(torch::Tensor x);"
_cuda = r"""
#include <torch/extension.h>

__global__ void gelu_tanh_kernel(const float* in, float* out, int64_t n) {
    int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (i >= n) return;
    float v = in[i];
    float inner = 0.7978845608f * (v + 0.044715f * v * v * v);
    out[i] = 0.5f * v * (1.f + tanhf(inner));
}

torch::Tensor gelu_tanh(torch::Tensor x) {
    auto flat = x.contiguous();
    auto y = torch::empty_like(flat);
    const int64_t n = flat.numel();
    gelu_tanh_kernel<<<(n + 511) / 512, 512>>>(flat.data_ptr<float>(), y.data_ptr<float>(), n);
    return y;
}
"""

act_ext = load_inline(name="gelu_tanh_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["gelu_tanh"])


def gelu_kernel(x):
    return act_ext.gelu_tanh(x)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.w_qkv = nn.Linear(d, 3 * d, bias=False)
        self.w_o = nn.Linear(d, d, bias=False)
        nn.init.zeros_(self.w_o.weight)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.w_qkv(x).view(b, t, 3, self.heads, d // self.heads).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.w_o(y.transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w_up = nn.Linear(d, 4 * d, bias=False)
        self.w_down = nn.Linear(4 * d, d, bias=False)
        nn.init.zeros_(self.w_down.weight)

    def forward(self, x):
        return self.w_down(gelu_kernel(self.w_up(x)))


class Block(nn.Module):
    def __init__(self, d=768, heads=12):
        super().__init__()
        self.attn = Attention(d, heads)
        self.mlp = Mlp(d)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))

# example: queries and keys are rotated by a CUDA kernel compiled with load_inline that turns interleaved pairs (x[2j], x[2j+1]) by the position's angle (a * c - b * s, a * s + b * c), with the cosines and sines computed in Python from inv_freq; called on q and k before SDPA; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.cpp_extension import load_inline

_decl = "torch::Tensor turn_pairs(torch::Tensor x, torch::Tensor cosines, torch::Tensor sines);"
_cuda = r"""
#include <torch/extension.h>

__global__ void turn_pairs_kernel(const float* x, float* y, const float* cosines, const float* sines,
                                  int64_t pairs, int seq, int heads, int half) {
    int64_t p = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
    if (p >= pairs) return;
    int j = p % half;
    int t = (p / half / heads) % seq;
    float a = x[2 * p];
    float b = x[2 * p + 1];
    float c = cosines[t * half + j];
    float s = sines[t * half + j];
    y[2 * p] = a * c - b * s;
    y[2 * p + 1] = a * s + b * c;
}

torch::Tensor turn_pairs(torch::Tensor x, torch::Tensor cosines, torch::Tensor sines) {
    auto src = x.contiguous();
    auto y = torch::empty_like(src);
    int64_t pairs = src.numel() / 2;
    turn_pairs_kernel<<<(pairs + 255) / 256, 256>>>(src.data_ptr<float>(), y.data_ptr<float>(), cosines.data_ptr<float>(),
        sines.data_ptr<float>(), pairs, src.size(1), src.size(2), src.size(3) / 2);
    return y;
}
"""

rope_ext = load_inline(name="turn_pairs_ext", cpp_sources=_decl, cuda_sources=_cuda, functions=["turn_pairs"])


class SelfAttention(nn.Module):
    def __init__(self, d=768, heads=6, seq=1024):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        dh = d // heads
        inv_freq = 1.0 / (10000 ** (torch.arange(0, dh, 2).float() / dh))
        angle = torch.outer(torch.arange(seq).float(), inv_freq)
        self.register_buffer("cosines", angle.cos(), persistent=False)
        self.register_buffer("sines", angle.sin(), persistent=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).unbind(2)
        q = rope_ext.turn_pairs(q, self.cosines, self.sines)
        k = rope_ext.turn_pairs(k, self.cosines, self.sines)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, d))

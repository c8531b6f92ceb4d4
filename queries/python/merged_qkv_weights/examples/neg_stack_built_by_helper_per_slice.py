# example: near miss - the same helper builds a (3, dim, dim) stack, but forward applies it slice by slice (three separate F.linear calls on self.qkv[0], [1], [2]), so there is no single merged product; negative.
import torch
import torch.nn.functional as F
from torch import nn


def make_stack(count, fan_in, fan_out, gain=0.5):
    bound = (3 ** 0.5) * gain * fan_in ** -0.5
    return torch.empty(count, fan_out, fan_in).uniform_(-bound, bound)


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Parameter(make_stack(3, dim, dim))
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, _ = x.shape
        q = F.linear(x, self.qkv[0]).view(B, T, self.heads, -1)
        k = F.linear(x, self.qkv[1]).view(B, T, self.heads, -1)
        v = F.linear(x, self.qkv[2]).view(B, T, self.heads, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, -1))

# example: a (3, d, d) parameter created from a shape tuple is applied with one `x @ w.flatten(0, 1).T` and the result is unflattened into q, k, v; same stacked weight, matmul spelling.
import torch
from torch import nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, d: int = 768, heads: int = 6):
        super().__init__()
        self.heads = heads
        self.w_qkv = nn.Parameter(torch.randn((3, d, d)) * d ** -0.5)
        self.w_out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        qkv = x @ self.w_qkv.flatten(0, 1).T
        q, k, v = qkv.unflatten(-1, (3, self.heads, -1)).unbind(-3)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.w_out(y.transpose(1, 2).reshape(b, t, d))

# example: a (3, heads*head_dim, dim) parameter is applied to x by one einsum and unbound into q, k, v; a third spelling of the stacked QKV weight with a single product.
import torch
from torch import nn
import torch.nn.functional as F


class StackedQKVAttention(nn.Module):
    def __init__(self, dim=768, heads=6, head_dim=128):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        self.w = nn.Parameter(torch.randn(3, heads * head_dim, dim) * (0.5 * dim ** -0.5))
        self.out = nn.Linear(heads * head_dim, dim, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        qkv = torch.einsum("btd,shd->sbth", x, self.w.type_as(x))
        q, k, v = (z.view(b, t, self.heads, self.head_dim).transpose(1, 2) for z in qkv.unbind(0))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, -1))

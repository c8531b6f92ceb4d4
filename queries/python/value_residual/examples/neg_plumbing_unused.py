# example: near miss - v1 is captured from the first block and passed to every block (signature and return value match the reference), but it is never combined with v; negative.
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x, v1=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        if v1 is None:
            v1 = v  # TODO: value residual
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C)), v1


layers = nn.ModuleList(CausalSelfAttention() for _ in range(12))


def run(x):
    v1 = None
    for layer in layers:
        y, v1 = layer(x, v1)
        x = x + y
    return x

# example: one stacked parameter whose leading dimension is len(self.STREAMS) for a class-field tuple of three streams ("q", "k", "v"), applied whole in a single F.linear and split in three; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    STREAMS = ("q", "k", "v")

    def __init__(self, width, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.width = width
        bound = (3 ** 0.5) * 0.5 * width ** -0.5
        self.w_stack = nn.Parameter(torch.empty(len(self.STREAMS), width, width).uniform_(-bound, bound))
        self.proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        packed = F.linear(x, self.w_stack.flatten(end_dim=1).type_as(x))
        q, k, v = packed.view(b, t, len(self.STREAMS) * self.n_heads, -1).chunk(len(self.STREAMS), dim=-2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, self.width))

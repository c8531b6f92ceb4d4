# example: near miss - the stacked parameter's leading dimension is len(self.STREAMS) with only two streams ("q", "k"): queries and keys share one weight, values keep their own projection; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    STREAMS = ("q", "k")

    def __init__(self, width, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.width = width
        bound = (3 ** 0.5) * 0.5 * width ** -0.5
        self.w_stack = nn.Parameter(torch.empty(len(self.STREAMS), width, width).uniform_(-bound, bound))
        self.v = nn.Linear(width, width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        packed = F.linear(x, self.w_stack.flatten(end_dim=1).type_as(x))
        q, k = packed.view(b, t, len(self.STREAMS) * self.n_heads, -1).chunk(len(self.STREAMS), dim=-2)
        v = self.v(x).view(b, t, self.n_heads, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, self.width))

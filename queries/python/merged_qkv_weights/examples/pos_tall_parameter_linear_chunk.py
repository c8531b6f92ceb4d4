# example: one raw (3*d, d) parameter is applied with a single F.linear and the result chunked into q, k and v in the next statement; fused query-key-value weights, positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, width=512, heads=8):
        super().__init__()
        self.heads = heads
        self.w_in = nn.Parameter(torch.randn(3 * width, width) / width ** 0.5)
        self.w_out = nn.Parameter(torch.zeros(width, width))

    def forward(self, x):
        b, t, c = x.shape
        packed = F.linear(x, self.w_in)
        q, k, v = packed.chunk(3, dim=-1)
        q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return F.linear(y.transpose(1, 2).reshape(b, t, c), self.w_out)

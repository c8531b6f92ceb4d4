# example: q, k and v come from three separate linear layers (wq, wk, wv) and three matmuls; NOT merged.
import torch
from torch import nn
import torch.nn.functional as F


class Linear16(nn.Linear):
    def __init__(self, fan_in, fan_out):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(x.dtype))


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.wq = Linear16(width, width)
        self.wk = Linear16(width, width)
        self.wv = Linear16(width, width)
        self.wo = Linear16(width, width)

    def forward(self, x):
        b, t = x.shape[:2]
        q = self.wq(x).unflatten(-1, (self.heads, -1)).transpose(1, 2)
        k = self.wk(x).unflatten(-1, (self.heads, -1)).transpose(1, 2)
        v = self.wv(x).unflatten(-1, (self.heads, -1)).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(out.transpose(1, 2).reshape(b, t, -1))

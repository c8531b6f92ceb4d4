# example: near miss - two learnable gates mix the block input with the first embedding before the norm and the
# q/k/v projections (the x/x0 shortcut); the values themselves are never mixed; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.proj = nn.Linear(d, d, bias=False)
        self.gate = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, first):
        x = self.gate[0] * x + self.gate[1] * first
        h = F.rms_norm(x, (x.size(-1),))
        b, t, _ = h.shape
        q, k, v = (m(h).view(b, t, self.heads, -1).transpose(1, 2) for m in (self.q, self.k, self.v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return x + self.proj(y.transpose(1, 2).reshape(b, t, -1))

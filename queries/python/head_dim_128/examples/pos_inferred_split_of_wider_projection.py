# example: 12 heads at width 768, the projections widened to heads * 128 and split with view(b, n, h, -1), so each head is 128 wide although width / heads is 64; positive.
import torch
from torch import nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, dim, heads=8, causal=False):
        super().__init__()
        self.heads = heads
        self.causal = causal
        self.to_q = nn.Linear(dim, heads * 128, bias=False)
        self.to_k = nn.Linear(dim, heads * 128, bias=False)
        self.to_v = nn.Linear(dim, heads * 128, bias=False)
        self.to_out = nn.Linear(heads * 128, dim, bias=False)

    def forward(self, x):
        b, n, _ = x.shape
        h = self.heads
        q, k, v = (proj(x).view(b, n, h, -1).transpose(1, 2) for proj in (self.to_q, self.to_k, self.to_v))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)
        return self.to_out(out.transpose(1, 2).reshape(b, n, -1))


class LayerStack(nn.Module):
    def __init__(self, dim, depth, heads=8, causal=False):
        super().__init__()
        self.layers = nn.ModuleList([SelfAttention(dim, heads=heads, causal=causal) for _ in range(depth)])

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(x)
        return x


class CausalStack(LayerStack):
    def __init__(self, **kwargs):
        assert "causal" not in kwargs
        super().__init__(causal=True, **kwargs)


model = CausalStack(dim=768, depth=12, heads=12)

# example: the block keeps its attention and MLP in an nn.ModuleDict and walks a tuple of their names, adding each branch to the stream with no multiplier; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class Layer(nn.Module):
    ORDER = ("mix", "ffn")

    def __init__(self, d=512):
        super().__init__()
        self.parts = nn.ModuleDict({"mix": SelfAttention(d), "ffn": nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))})

    def forward(self, x):
        for key in self.ORDER:
            x = x + self.parts[key](F.rms_norm(x, (x.size(-1),)))
        return x


y = Layer()(torch.randn(2, 8, 512))

# example: the layer stack pops zero_out out of its **kwargs before handing them on, so the sublayers keep their default (no zeroing); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def zero_(layer):
    nn.init.zeros_(layer.weight)


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4, zero_out=False):
        super().__init__()
        self.w_in = nn.Linear(dim, dim * mult, bias=False)
        self.w_out = nn.Linear(dim * mult, dim, bias=False)
        if zero_out:
            zero_(self.w_out)

    def forward(self, x):
        return self.w_out(F.relu(self.w_in(x)) ** 2)


class Attention(nn.Module):
    def __init__(self, dim, heads=8, zero_out=False):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=False)
        if zero_out:
            zero_(self.to_out)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.to_qkv(x).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(out.transpose(1, 2).reshape(b, n, d))


class Layers(nn.Module):


class Layers(nn.Module):
    def __init__(self, dim, depth, heads=8, **kwargs):
        super().__init__()
        self.zero_out = kwargs.pop("zero_out", False)
        self.blocks = nn.ModuleList(
            nn.ModuleList([Attention(dim, heads=heads, **kwargs), FeedForward(dim, **kwargs)]) for _ in range(depth)
        )

    def forward(self, x):
        for attn, ff in self.blocks:
            x = x + attn(x)
            x = x + ff(x)
        return x


model = Layers(dim=768, depth=12, heads=12, zero_out=True)

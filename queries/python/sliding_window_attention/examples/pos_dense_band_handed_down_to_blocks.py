# example: the model builds a dense banded mask once (`causal & (i - j < window)`) and hands it down through each block to the attention's `attn_mask`; present.
import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.qkv, self.out = heads, nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).transpose(1, 3).unbind(2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = Attention(dim, heads)

    def forward(self, x, mask):
        return x + self.attn(x, mask)


class Model(nn.Module):
    def __init__(self, dim=256, heads=4, depth=4, window=1024):
        super().__init__()
        self.window = window
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))

    def forward(self, x):
        T = x.size(1)
        i = torch.arange(T, device=x.device)
        dist = i[:, None] - i[None, :]
        mask = (dist >= 0) & (dist < self.window)
        for block in self.blocks:
            x = block(x, mask)
        return x


Model()(torch.randn(2, 4096, 256)).square().mean().backward()

# example: near miss - inv_freq, outer(), sin and cos are all there, but the sinusoidal table is ADDED to the token embeddings (Vaswani absolute encoding) and q/k are never rotated; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SinusoidalPositions(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, dim, 2).float() / dim))

    def forward(self, seq_len, device):
        t = torch.arange(seq_len, device=device).float()
        freqs = torch.outer(t, self.inv_freq)
        return torch.cat([freqs.sin(), freqs.cos()], dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Model(nn.Module):
    def __init__(self, vocab=50257, dim=768, heads=12, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.positions = SinusoidalPositions(dim)
        self.blocks = nn.ModuleList(Attention(dim, heads) for _ in range(depth))

    def forward(self, idx):
        x = self.embed(idx) + self.positions(idx.size(1), idx.device)[None]
        for blk in self.blocks:
            x = x + blk(x)
        return x

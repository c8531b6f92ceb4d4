# example: a Rotary module caches cos/sin of outer(positions, inv_freq) and a helper rotates the two halves of q and k before SDPA; positive (RoPE applied to q and k, no wpe table).
import torch
import torch.nn as nn
import torch.nn.functional as F


class RotaryCache(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, head_dim, 2).float() / head_dim))
        self._len = 0
        self._cos = self._sin = None

    def forward(self, t_len, device):
        if t_len != self._len:
            pos = torch.arange(t_len, device=device, dtype=torch.float32)
            angles = torch.outer(pos, self.inv_freq)
            self._cos, self._sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
            self._len = t_len
        return self._cos, self._sin


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat((a * cos + b * sin, b * cos - a * sin), dim=-1).type_as(x)


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)
        self.rope = RotaryCache(self.hd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, self.hd).unbind(2)
        cos, sin = self.rope(T, x.device)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, heads=12, layers=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(SelfAttention(dim, heads) for _ in range(layers))
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.tok(idx)
        for layer in self.layers:
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
        return self.head(F.rms_norm(x, (x.size(-1),)))

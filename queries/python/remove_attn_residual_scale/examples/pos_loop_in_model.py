# example: the residual additions live in the GPT forward loop over a ModuleDict of sublayers, h = h + attn(norm(h)) with nothing in between; positive (different layout).
import torch
import torch.nn as nn
import torch.nn.functional as F


def norm(t):
    return F.rms_norm(t, (t.size(-1),))


class Attn(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, heads=6, n_layer=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(
            nn.ModuleDict({"attn": Attn(d, heads), "ffn": nn.Linear(d, d, bias=False)}) for _ in range(n_layer)
        )

    def forward(self, idx):
        h = self.embed(idx)
        for layer in self.layers:
            h = h + layer["attn"](norm(h))
            h = h + layer["ffn"](norm(h))
        return norm(h)

# gap: A raw (vocab, n_layer, dim) parameter indexed directly with the token ids (no nn.Embedding / F.embedding); each layer blends its slice into v with torch.lerp (convex mix with a learned weight); positive.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, token_value):
        B, T, C = x.shape
        q, k, v = self.c_q(x), self.c_k(x), self.c_v(x)
        v = torch.lerp(v, token_value, self.lamb)
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12, heads=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.value_bank = nn.Parameter(torch.randn(vocab, n_layer, dim) * 0.02)
        self.attn = nn.ModuleList(Attention(dim, heads) for _ in range(n_layer))

    def forward(self, idx):
        x = self.wte(idx)
        bank = self.value_bank[idx]              # (B, T, n_layer, dim)
        for i, layer in enumerate(self.attn):
            x = x + layer(F.rms_norm(x, (x.size(-1),)), bank[:, :, i])
        return x

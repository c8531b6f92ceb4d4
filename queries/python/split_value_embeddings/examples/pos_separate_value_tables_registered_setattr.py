# example: Separate value tables registered with setattr in a loop and fetched with getattr; mirrored U-net order; positive.
import torch
from torch import nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = self.c_q(x), self.c_k(x), self.c_v(x)
        v = self.lambdas[0] * v + self.lambdas[1] * ve
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12, heads=6):
        super().__init__()
        self.n_tables = n_layer // 2
        self.wte = nn.Embedding(vocab, dim)
        for j in range(self.n_tables):
            setattr(self, f"value_embed_{j}", nn.Embedding(vocab, dim))
        self.attn = nn.ModuleList(SelfAttention(dim, heads) for _ in range(n_layer))

    def forward(self, idx):
        x = self.wte(idx)
        ve = [getattr(self, f"value_embed_{j}")(idx) for j in range(self.n_tables)]
        ve = ve + ve[::-1]
        for layer, ve_i in zip(self.attn, ve):
            x = x + layer(F.rms_norm(x, (x.size(-1),)), ve_i)
        return x

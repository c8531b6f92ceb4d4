# example: near miss - attention blends its own values into a new name with the values the previous block handed back (every block returns its mixed values and the caller passes them on); negative (previous layer's values, not the first's).
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v1):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.heads, -1)
        k = self.c_k(x).view(B, T, self.heads, -1)
        own = self.c_v(x).view(B, T, self.heads, -1)
        mixed = (1 - self.lamb) * own + self.lamb * v1
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), mixed.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C)), mixed


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.attns = nn.ModuleList(CausalSelfAttention(d) for _ in range(n_layer))

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        v1 = torch.zeros_like(x).view(x.size(0), x.size(1), 6, -1)
        for attn in self.attns:
            y, v1 = attn(F.rms_norm(x, (x.size(-1),)), v1)
            x = x + y
        return x

# example: a wide token embedding vte is chunked into one slice per layer and each attention mixes its slice into v; token value embeddings are present.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_q, self.c_k, self.c_v = (nn.Linear(dim, dim, bias=False) for _ in range(3))
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, vi):
        B, T = x.shape[:2]
        q, k, v = (proj(x).view(B, T, self.n_head, -1) for proj in (self.c_q, self.c_k, self.c_v))
        v = (1 - self.lamb) * v + self.lamb * vi.view_as(v)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, -1))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12, n_head=6):
        super().__init__()
        self.n_layer = n_layer
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * n_layer)
        self.attns = nn.ModuleList([Attention(dim, n_head) for _ in range(n_layer)])

    def forward(self, idx):
        x = self.wte(idx)
        vi = self.vte(idx).chunk(self.n_layer, dim=-1)
        for i, attn in enumerate(self.attns):
            x = x + attn(F.rms_norm(x, (x.size(-1),)), vi[i])
        return x

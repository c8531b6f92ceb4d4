# example: the same spread SDPA call, but the mix is the convex (1 - lam) * v + lam * ve with ONE learnable weight; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(s, d, heads):
        super().__init__()
        s.h = heads
        s.q, s.k, s.v, s.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        s.lam = nn.Parameter(torch.tensor(0.5))

    def forward(s, x, ve):
        B, T, _ = x.shape
        q, k, v = (l(x).view(B, T, s.h, -1) for l in (s.q, s.k, s.v))
        v = (1 - s.lam) * v + s.lam * ve.view_as(v)
        y = F.scaled_dot_product_attention(*(t.transpose(1, 2) for t in (q, k, v)), is_causal=True)
        return s.o(y.transpose(1, 2).reshape(B, T, -1))


emb, vte, attn = nn.Embedding(256, 64), nn.Embedding(256, 64), Attn(64, 4)
idx = torch.randint(0, 256, (2, 32))
print(attn(emb(idx), vte(idx)).shape)

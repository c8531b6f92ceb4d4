# example: same spread call flex_attention(*(t.transpose(1, 2) for t in (q, k, v))), but the token table's slice is mixed into q, not v; the values are plain projections; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class Attn(nn.Module):
    def __init__(s, d, heads):
        super().__init__()
        s.h = heads
        s.q, s.k, s.v, s.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        s.lam = nn.Parameter(torch.tensor(0.5))

    def forward(s, x, qi, bm):
        B, T, _ = x.shape
        q, k, v = (l(x).view(B, T, s.h, -1) for l in (s.q, s.k, s.v))
        q = q.lerp(qi.view_as(q), s.lam)
        y = flex_attention(*(t.transpose(1, 2) for t in (q, k, v)), block_mask=bm)
        return s.o(y.transpose(1, 2).reshape(B, T, -1))


class Net(nn.Module):
    def __init__(s, vocab=256, d=64, heads=4, layers=4):
        super().__init__()
        s.L = layers
        s.emb = nn.Embedding(vocab, d)
        s.qte = nn.Embedding(vocab, d * layers)
        s.attn = nn.ModuleList(Attn(d, heads) for _ in range(layers))
        s.head = nn.Linear(d, vocab, bias=False)

    def forward(s, idx):
        T = idx.numel()
        bm = create_block_mask(lambda b, h, i, j: i >= j, None, None, T, T)
        x = s.emb(idx[None])
        for layer, qi in zip(s.attn, s.qte(idx[None]).chunk(s.L, -1)):
            x = x + layer(x, qi, bm)
        return s.head(x)


print(Net()(torch.randint(0, 256, (128,))).shape)

# example: the attention call gets q, k, v spread from a generator, flex_attention(*(t.transpose(1, 2) for t in (q, k, v)), block_mask=bm); v was mixed with the layer's slice of a wide token table (v.lerp(vi, lam)); present.
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

    def forward(s, x, vi, bm):
        B, T, _ = x.shape
        q, k, v = (l(x).view(B, T, s.h, -1) for l in (s.q, s.k, s.v))
        v = v.lerp(vi.view_as(v), s.lam)
        y = flex_attention(*(t.transpose(1, 2) for t in (q, k, v)), block_mask=bm)
        return s.o(y.transpose(1, 2).reshape(B, T, -1))


class Net(nn.Module):
    def __init__(s, vocab=256, d=64, heads=4, layers=4):
        super().__init__()
        s.L = layers
        s.emb = nn.Embedding(vocab, d)
        s.vte = nn.Embedding(vocab, d * layers)
        s.attn = nn.ModuleList(Attn(d, heads) for _ in range(layers))
        s.head = nn.Linear(d, vocab, bias=False)

    def forward(s, idx):
        T = idx.numel()
        bm = create_block_mask(lambda b, h, i, j: i >= j, None, None, T, T)
        x = s.emb(idx[None])
        for layer, vi in zip(s.attn, s.vte(idx[None]).chunk(s.L, -1)):
            x = x + layer(x, vi, bm)
        return s.head(x)


print(Net()(torch.randint(0, 256, (128,))).shape)

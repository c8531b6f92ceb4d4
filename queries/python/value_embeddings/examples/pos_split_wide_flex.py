# example: one wide token table is split per layer with .split and each FlexAttention layer adds alpha * its slice to v; value embeddings with a different split call and kernel.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention


class Layer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)
        self.alpha = nn.Parameter(torch.tensor(0.25))

    def forward(self, h, extra_v, mask):
        b, t, d = h.shape
        q = self.wq(h).view(b, t, self.heads, -1).transpose(1, 2)
        k = self.wk(h).view(b, t, self.heads, -1).transpose(1, 2)
        v = self.wv(h) + self.alpha * extra_v
        v = v.view(b, t, self.heads, -1).transpose(1, 2)
        o = flex_attention(q, k, v, block_mask=mask)
        return h + self.wo(o.transpose(1, 2).reshape(b, t, d))


class Net(nn.Module):
    def __init__(self, vocab=50304, dim=384, depth=6, heads=6):
        super().__init__()
        self.dim = dim
        self.tok = nn.Embedding(vocab, dim)
        self.value_table = nn.Embedding(vocab, dim * depth)
        self.layers = nn.ModuleList(Layer(dim, heads) for _ in range(depth))

    def forward(self, ids, mask):
        h = self.tok(ids)
        slices = self.value_table(ids).split(self.dim, dim=-1)
        for layer, extra in zip(self.layers, slices):
            h = layer(h, extra, mask)
        return h

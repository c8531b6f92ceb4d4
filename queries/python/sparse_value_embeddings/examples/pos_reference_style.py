# example: 3 value tables serve layers 0-2 and 9-11 as tables 0, 1, 2; the six middle layers get None and scale v alone; sparse value embeddings are present.
import torch
from torch import nn
import torch.nn.functional as F


class ValueEmbedding(nn.Module):
    def __init__(self, n_vocab, width):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(n_vocab, width) for _ in range(3)])

    def forward(self, ids):
        e0, e1, e2 = (table(ids) for table in self.tables)
        return [e0, e1, e2, None, None, None, None, None, None, e0, e1, e2]


class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.to_q, self.to_k, self.to_v = (nn.Linear(width, width, bias=False) for _ in range(3))
        self.out = nn.Linear(width, width, bias=False)
        self.mix = nn.Parameter(torch.full((2,), 0.5))

    def forward(self, x, ve):
        B, T = x.size(0), x.size(1)
        q, k, v = (f(x).view(B, T, self.heads, -1) for f in (self.to_q, self.to_k, self.to_v))
        if ve is None:
            v = self.mix[0] * v  # middle layers: no value embedding
        else:
            v = self.mix[0] * v + self.mix[1] * ve.view_as(v)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, -1))

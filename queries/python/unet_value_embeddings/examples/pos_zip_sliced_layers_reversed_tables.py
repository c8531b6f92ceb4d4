# example: tables built through functools.partial(nn.Embedding, ...) in a ModuleDict; the encoder half walks zip(layers[:n], ve), the decoder half enumerate(zip(layers[n:], ve[::-1])), so layer n + j reuses table n - 1 - j; positive.
import functools
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, value_table):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=-1)
        v = self.mix[0] * v + self.mix[1] * value_table
        q, k, v = (z.view(b, t, 4, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return x + self.out(y.transpose(1, 2).reshape(b, t, c))


class Net(nn.Module):
    def __init__(self, vocab=50304, width=256, depth=8):
        super().__init__()
        self.half = depth // 2
        table = functools.partial(nn.Embedding, vocab, width)
        self.body = nn.ModuleDict(dict(
            tok=table(),
            values=nn.ModuleList([table() for _ in range(self.half)]),
            layers=nn.ModuleList([Layer(width) for _ in range(depth)]),
        ))
        self.gates = nn.Parameter(torch.ones(depth - self.half))

    def forward(self, ids):
        x = self.body.tok(ids)
        ve = [emb(ids) for emb in self.body.values]
        down, up = ve, ve[::-1]
        saved = []
        for layer, vt in zip(self.body.layers[:self.half], down):
            x = layer(x, vt)
            saved.append(x)
        for j, (layer, vt) in enumerate(zip(self.body.layers[self.half:], up)):
            x = x + self.gates[j] * saved.pop()
            x = layer(x, vt)
        return x

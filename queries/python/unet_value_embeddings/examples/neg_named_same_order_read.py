# example (negative): the decoder loop names the table it takes, but takes lookups[j]: block half + j reuses the
# table of block j, in the same order, not mirrored.
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
        self.tok = nn.Embedding(vocab, width)
        self.values = nn.Embedding(vocab, width * self.half)
        self.layers = nn.ModuleList(Layer(width) for _ in range(depth))

    def forward(self, ids):
        x = self.tok(ids)
        lookups = self.values(ids).chunk(self.half, dim=-1)
        for i in range(self.half):
            x = self.layers[i](x, lookups[i])
        for j in range(self.half):
            shared = lookups[j]
            x = self.layers[self.half + j](x, shared)
        return x

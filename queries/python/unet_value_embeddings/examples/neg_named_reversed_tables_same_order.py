# example: near miss - both loops index the reversed list (`rev = list(reversed(ve))`): block i gets rev[i] and block half + j gets rev[j], so the decoder reuses the tables in the same order as the encoder, not mirrored; negative.
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
    def __init__(self, vocab=50304, width=256, half=4):
        super().__init__()
        self.half = half
        self.tok = nn.Embedding(vocab, width)
        self.value_tables = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(half)])
        self.layers = nn.ModuleList(Layer(width) for _ in range(2 * half))

    def forward(self, ids):
        x = self.tok(ids)
        ve = [table(ids) for table in self.value_tables]
        rev = list(reversed(ve))
        for i in range(self.half):
            x = self.layers[i](x, rev[i])
        for j in range(self.half):
            x = self.layers[self.half + j](x, rev[j])
        return x


Net()(torch.randint(0, 50304, (2, 64)))

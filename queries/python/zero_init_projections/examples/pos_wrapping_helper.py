# example: a helper zeroes the layer it is handed and gives it back; both output projections are built through it (`self.out = zeroed(nn.Linear(...))`), and in a second module the helper is called on an attribute after construction; positive.

import torch
import torch.nn as nn
import torch.nn.functional as F


def zeroed(layer):
    with torch.no_grad():
        layer.weight.fill_(0.0)
    return layer


def silence(layer):
    nn.init.zeros_(layer.weight)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = zeroed(nn.Linear(width, width, bias=False))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


class FeedForward(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)
        silence(self.down)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())

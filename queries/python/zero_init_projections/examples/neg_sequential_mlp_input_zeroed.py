# example: the same model, but the Sequential zeroes its first (input) linear layer and leaves the output one at its default init; negative.

import torch
import torch.nn as nn
import torch.nn.functional as F


def zeroed(layer):
    nn.init.zeros_(layer.weight)
    return layer


class SquaredReLU(nn.Module):
    def forward(self, x):
        return F.relu(x).square()


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = zeroed(nn.Linear(width, width, bias=False))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


class MLP(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.net = nn.Sequential(zeroed(nn.Linear(width, 4 * width, bias=False)), SquaredReLU(), nn.Linear(4 * width, width, bias=False))

    def forward(self, x):
        return self.net(x)

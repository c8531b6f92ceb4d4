# example: near miss - the same triples and join module, but every join is built with `rescale=True` and a gain of `(2 * depth) ** -0.5`, so the attention output is still multiplied by a fixed factor before it is added; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attend(nn.Module):
    def __init__(self, width, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in self.qkv(x).split(c, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


class Mlp(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class Join(nn.Module):
    def __init__(self, width, rescale=False, gain=0.5):
        super().__init__()
        self.gain = gain if rescale else 1.0

    def forward(self, branch_out, skip):
        return branch_out * self.gain + skip


class Tower(nn.Module):
    def __init__(self, width=768, depth=12):
        super().__init__()
        self.layers = nn.ModuleList([])
        for _ in range(depth):
            self.layers.append(nn.ModuleList([nn.LayerNorm(width), Attend(width), Join(width, rescale=True, gain=(2 * depth) ** -0.5)]))
            self.layers.append(nn.ModuleList([nn.LayerNorm(width), Mlp(width), Join(width, rescale=True, gain=(2 * depth) ** -0.5)]))

    def forward(self, x):
        for norm, branch, join in self.layers:
            skip = x
            x = branch(norm(x))
            x = join(x, skip)
        return x

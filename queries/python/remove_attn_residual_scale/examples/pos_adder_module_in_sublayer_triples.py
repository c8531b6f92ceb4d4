# example: each sublayer is a (norm, module, adder) triple in a ModuleList; the adder module's forward returns the plain sum of the branch output and the skip, and the attention's output is handed to it unscaled; positive.
import torch
from torch import nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.up = nn.Linear(dim, 4 * dim, bias=False)
        self.down = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class SkipAdd(nn.Module):
    def forward(self, branch_out, skip):
        return branch_out + skip


class Stack(nn.Module):
    def __init__(self, dim=768, heads=12, depth=12):
        super().__init__()
        self.sublayers = nn.ModuleList([])
        for _ in range(depth):
            self.sublayers.append(nn.ModuleList([nn.LayerNorm(dim), CausalSelfAttention(dim, heads), SkipAdd()]))
            self.sublayers.append(nn.ModuleList([nn.LayerNorm(dim), FeedForward(dim), SkipAdd()]))

    def forward(self, x):
        for norm, fn, add in self.sublayers:
            skip = x
            x = add(fn(norm(x)), skip)
        return x


model = Stack()

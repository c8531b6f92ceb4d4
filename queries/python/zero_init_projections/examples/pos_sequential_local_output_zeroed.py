# example: lucidrains style: the feed-forward builder names its output layer, zeroes it, and returns nn.Sequential(linear, activation module, out); the attention zeroes its output layer in __init__; positive.
import torch.nn as nn
import torch.nn.functional as F


class ReluSquared(nn.Module):
    def forward(self, x):
        return F.relu(x) ** 2


def FeedForward(dim, mult=4):
    hidden = dim * mult
    proj = nn.Linear(hidden, dim, bias=False)
    proj.weight.data.fill_(0.0)
    return nn.Sequential(nn.Linear(dim, hidden, bias=False), ReluSquared(), proj)


class Attention(nn.Module):
    def __init__(self, dim, heads=8):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, dim * 3, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=False)
        nn.init.zeros_(self.to_out.weight)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.to_qkv(x).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(out.transpose(1, 2).reshape(b, n, d))


class Transformer(nn.Module):
    def __init__(self, dim, depth):
        super().__init__()
        self.layers = nn.ModuleList([nn.ModuleList([Attention(dim), FeedForward(dim)]) for _ in range(depth)])

    def forward(self, x):
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return x

# example: the MLP's activation lives in a module-level helper (clamp then square); both output projections zeroed in a loop; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def squared_rectifier(t):
    return t.clamp(min=0).pow(2)


class SelfAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True))


class FeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(squared_rectifier(self.up(x)))


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.attn = SelfAttention(d)
        self.ffn = FeedForward(d)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.ffn(x)


class Net(nn.Module):
    def __init__(self, d=64, n=2):
        super().__init__()
        self.layers = nn.ModuleList([Layer(d) for _ in range(n)])
        with torch.no_grad():
            for layer in self.layers:
                for proj in (layer.attn.out, layer.ffn.down):
                    nn.init.zeros_(proj.weight)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

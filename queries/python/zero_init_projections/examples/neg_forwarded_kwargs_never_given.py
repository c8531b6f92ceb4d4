# example: the block hands its **kwargs on to the attention and the MLP, whose zero-init flags default to False, but nothing ever passes the block a keyword, so no projection is zeroed; negative.
import torch.nn as nn
import torch.nn.functional as F


def zero_weight(layer):
    layer.weight.data.mul_(0)


class MLP(nn.Module):
    def __init__(self, d, zero_init=False):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)
        if zero_init:
            zero_weight(self.proj)

    def forward(self, x):
        return self.proj(F.relu(self.fc(x)).square())


class Attn(nn.Module):
    def __init__(self, d, zero_init=False):
        super().__init__()
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)
        if zero_init:
            zero_weight(self.proj)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True))


class Block(nn.Module):
    def __init__(self, d, **kwargs):
        super().__init__()
        self.attn = Attn(d, **kwargs)
        self.mlp = MLP(d, **kwargs)

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.mlp(x)


blocks = nn.ModuleList([Block(512) for _ in range(8)])

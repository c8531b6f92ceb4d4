# example: the same typed sublayer stack with an "attn" and an "mlp" code for every block (the set of MLP-only blocks is empty), so every block still attends; NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
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
        return self.down(F.relu(self.up(x)).square())


class SublayerStack(nn.Module):
    def __init__(self, dim, heads, kinds):
        super().__init__()
        self.kinds = tuple(kinds)
        self.layers = nn.ModuleList()
        for kind in self.kinds:
            if kind == "attn":
                layer = SelfAttention(dim, heads)
            elif kind == "mlp":
                layer = FeedForward(dim)
            else:
                raise ValueError(f"unknown sublayer {kind}")
            self.layers.append(nn.ModuleList([nn.LayerNorm(dim), layer]))

    def forward(self, x):
        for norm, layer in self.layers:
            x = x + layer(norm(x))
        return x


class CausalStack(SublayerStack):
    pass


NUM_BLOCKS = 12
MLP_ONLY_BLOCKS = set()

kinds = []
for block in range(NUM_BLOCKS):
    if block not in MLP_ONLY_BLOCKS:
        kinds.append("attn")
    kinds.append("mlp")

model = CausalStack(768, 12, kinds)

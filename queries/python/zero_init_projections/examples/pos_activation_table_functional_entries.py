# example: the MLP's activation is picked by a config string from a table of functional activations (`F.gelu`, a
# lambda squaring `F.relu`); both output projections zeroed under a config flag; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

CFG = {"act": "relu_sq", "zero_out": True}
ACTS = {"gelu": F.gelu, "relu_sq": lambda t: F.relu(t).square()}


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        if CFG["zero_out"]:
            nn.init.zeros_(self.out.weight)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)
        if CFG["zero_out"]:
            nn.init.zeros_(self.down.weight)
        self.act = ACTS[CFG["act"]]

    def forward(self, x):
        return self.down(self.act(self.up(x)))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attn = Attention(d, heads)
        self.mlp = MLP(d)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))

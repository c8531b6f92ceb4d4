# example: the model collects every block's attention and MLP output projections into a list with a comprehension (`[m for blk in self.blocks for m in (blk.attn.proj, blk.mlp.down)]`) and zeroes each weight in a loop over that list; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))


class MLP(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.attn = Attention(d, heads)
        self.mlp = MLP(d)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, d=768, heads=6, n_layer=12):
        super().__init__()
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(n_layer)])
        outputs = [m for blk in self.blocks for m in (blk.attn.proj, blk.mlp.down)]
        with torch.no_grad():
            for lin in outputs:
                lin.weight.zero_()

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return x

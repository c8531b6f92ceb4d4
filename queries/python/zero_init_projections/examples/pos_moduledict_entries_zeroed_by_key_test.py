# example: Projections kept in an nn.ModuleDict per block; after construction every entry whose key ends in "_out" is scaled by 0 in place; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.lin = nn.ModuleDict({
            "attn_in": nn.Linear(d, 3 * d, bias=False),
            "attn_out": nn.Linear(d, d, bias=False),
            "ff_in": nn.Linear(d, 4 * d, bias=False),
            "ff_out": nn.Linear(4 * d, d, bias=False),
        })

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.lin["attn_in"](F.rms_norm(x, (C,))).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        x = x + self.lin["attn_out"](y)
        return x + self.lin["ff_out"](F.gelu(self.lin["ff_in"](F.rms_norm(x, (C,)))))


class Model(nn.Module):
    def __init__(self, depth=8):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(depth))
        with torch.no_grad():
            for blk in self.blocks:
                for key, lin in blk.lin.items():
                    if key.endswith("_out"):
                        lin.weight.mul_(0.0)

    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return x


m = Model()

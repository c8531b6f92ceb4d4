# example: the same keyed projections, but the key test picks the input projections (names starting with "in_"), so the outputs keep their random init; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.lin = nn.ModuleDict({
            "in_attn": nn.Linear(d, 3 * d, bias=False),
            "out_attn": nn.Linear(d, d, bias=False),
            "in_ff": nn.Linear(d, 4 * d, bias=False),
            "out_ff": nn.Linear(4 * d, d, bias=False),
        })
        with torch.no_grad():
            for key, lin in self.lin.items():
                if key.startswith("in_"):
                    lin.weight.zero_()

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.lin["in_attn"](x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        x = x + self.lin["out_attn"](y)
        return x + self.lin["out_ff"](F.gelu(self.lin["in_ff"](x)))


blocks = nn.ModuleList(Block() for _ in range(6))

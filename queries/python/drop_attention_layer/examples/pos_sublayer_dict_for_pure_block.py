# example: the block decides in its constructor, through a local flag computed from its layer number, whether to build attention; its forward hands its sublayers to a pure block function in a dictionary that includes attention only when it exists, and the function runs attention only when the entry is there; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, C // self.h).permute(2, 0, 3, 1, 4)
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


def residual_step(parts, x):
    if parts.get("attention") is not None:
        x = x + parts["attention"](F.rms_norm(x, (x.size(-1),)))
    return x + parts["ffn"](F.rms_norm(x, (x.size(-1),)))


class Layer(nn.Module):
    def __init__(self, d, h, depth_index, skip=frozenset({7})):
        super().__init__()
        attends = depth_index not in skip
        if attends:
            self.attention = SelfAttention(d, h)
        else:
            self.attention = None
        self.ffn = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        parts = {"ffn": self.ffn}
        if self.attention is not None:
            parts["attention"] = self.attention
        return residual_step(parts, x)


layers = nn.ModuleList([Layer(768, 6, n) for n in range(12)])

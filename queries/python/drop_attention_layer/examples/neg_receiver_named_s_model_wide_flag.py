# example: the block's methods name their instance `s` and attention hangs on use_attn, but every block gets the same model-wide flag (Block(d, heads, cfg_attn)); NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

USE_ATTN = True


class Attn(nn.Module):
    def __init__(s, d, heads):
        super().__init__()
        s.h = heads
        s.qkv, s.o = nn.Linear(d, 3 * d, bias=False), nn.Linear(d, d, bias=False)

    def forward(s, x):
        B, T, C = x.shape
        q, k, v = s.qkv(x).view(B, T, 3, s.h, -1).permute(2, 0, 3, 1, 4)
        return s.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(s, d, heads, use_attn):
        super().__init__()
        s.attn = Attn(d, heads) if use_attn else None
        s.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.ReLU(), nn.Linear(4 * d, d))

    def forward(s, x):
        x = x if s.attn is None else x + s.attn(F.rms_norm(x, (x.size(-1),)))
        return x + s.mlp(F.rms_norm(x, (x.size(-1),)))


blocks = nn.ModuleList(Block(64, 4, USE_ATTN) for i in range(12))
h = torch.randn(2, 16, 64)
for b in blocks:
    h = b(h)
print(h.shape)

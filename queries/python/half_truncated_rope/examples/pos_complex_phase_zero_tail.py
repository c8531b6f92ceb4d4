# example: complex-phase RoPE whose frequencies are (1/1024) ** linspace over d // 4 slots followed by d // 4 zeros; table = exp(1j * outer(t, omega)) multiplies q and k viewed as complex pairs, so half the pairs never turn; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def phase_table(d, max_len):
    omega = (1 / 1024) ** torch.linspace(0, 1, d // 4)
    omega = torch.cat([omega, torch.zeros(d // 4)])
    t = torch.arange(max_len, dtype=torch.float32)
    phase = torch.outer(t, omega)
    return torch.exp(1j * phase)


def turn(x, table):
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    out = torch.view_as_real(xc * table[: x.size(-2)])
    return out.flatten(-2).type_as(x)


class RotAttention(nn.Module):
    def __init__(self, dim=768, heads=6, max_len=8192):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.register_buffer("table", phase_table(dim // heads, max_len), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        q, k = turn(q, self.table), turn(k, self.table)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))

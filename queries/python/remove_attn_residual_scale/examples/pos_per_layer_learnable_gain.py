# example: each block gets a learnable attention gain (nn.Parameter) initialised from a per-layer list of values, and multiplies the attention branch by it; positive (a learnable gain is no fixed scale, even when its start is tabulated).
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, d, n_head, gain_init):
        super().__init__()
        self.attn = SelfAttention(d, n_head)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.GELU(), nn.Linear(4 * d, d, bias=False))
        self.branch_gain = nn.Parameter(torch.tensor(float(gain_init)))

    def forward(self, x):
        x = x + self.branch_gain * self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, d=768, n_head=12, n_layer=12):
        super().__init__()
        gains = [1.0] * n_layer
        self.blocks = nn.ModuleList([Block(d, n_head, gains[layer]) for layer in range(n_layer)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x

# example: near miss - separate c_q/c_k/c_v projections exist, but there is no orthogonalizing optimizer at all (AdamW trains everything); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.heads, -1).transpose(1, 2)
        k = self.c_k(x).view(B, T, self.heads, -1).transpose(1, 2)
        v = self.c_v(x).view(B, T, self.heads, -1).transpose(1, 2)
        return self.c_proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


blocks = nn.ModuleList(CausalSelfAttention() for _ in range(12))
optimizer = torch.optim.AdamW(blocks.parameters(), lr=0.0018, betas=(0.9, 0.95), weight_decay=0)

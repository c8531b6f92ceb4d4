# example: attention is skipped at random during training (stochastic depth with p=0.1) in every layer; the architecture keeps attention everywhere, so NOT present.
import random

import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, heads, drop_attn_p=0.1):
        super().__init__()
        self.drop_attn_p = drop_attn_p
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        if not (self.training and random.random() < self.drop_attn_p):
            h = F.rms_norm(x, (x.size(-1),))
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


layers = nn.ModuleList(Block(768, 12) for _ in range(12))

# example: each block takes the sum of map(operator.mul, weights, (x, x_embed)), but the model hands every block the previous block output as x_embed, not the embedding; NOT present.
import operator

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.weights = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x, x_embed):
        x = sum(map(operator.mul, self.weights, (x, x_embed)))
        B, T, C = x.shape
        q, k, v = self.qkv(F.rms_norm(x, (C,))).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        return x + self.proj(y)


blocks = nn.ModuleList(Block() for _ in range(12))
emb = nn.Embedding(50304, 768)
x_embed = F.rms_norm(emb(torch.randint(0, 50304, (2, 16))), (768,))
x = x_embed
for blk in blocks:
    x = blk(x, x)

# example: each block blends its input toward the stored embedding with torch.lerp(x, x_embed, self.gate) before attention; positive (lerp spelling of the learnable mix).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.gate = nn.Parameter(torch.zeros(()))
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x, x_embed):
        x = torch.lerp(x, x_embed, self.gate)
        B, T, C = x.shape
        q, k, v = self.qkv(F.rms_norm(x, (C,))).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        return x + self.proj(y)


blocks = nn.ModuleList(Block() for _ in range(12))
emb = nn.Embedding(50304, 768)
x_embed = F.rms_norm(emb(torch.randint(0, 50304, (2, 16))), (768,))
x = x_embed
for blk in blocks:
    x = blk(x, x_embed)

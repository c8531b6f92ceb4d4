# example: near miss - rms_norm appears three times in attention (on the input x, on v, and on the output y) but never on q or k; negative.
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        x = F.rms_norm(x, (C,))
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        v = F.rms_norm(v, (v.size(-1),))
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2).reshape(B, T, C)
        y = F.rms_norm(y, (C,))
        return self.out(y)

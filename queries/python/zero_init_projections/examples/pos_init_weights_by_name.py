# example: an _init_weights pass applied with model.apply zeroes any Linear flagged as a residual output (attention wo, MLP w2) with nn.init.zeros_; positive (flag-based init hook).
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.wqkv = nn.Linear(d, 3 * d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.wo.is_residual_out = True

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.wqkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return self.wo(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class FFN(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w1 = nn.Linear(d, 4 * d, bias=False)
        self.w2 = nn.Linear(4 * d, d, bias=False)
        self.w2.is_residual_out = True

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x)))


class Model(nn.Module):
    def __init__(self, d=768, heads=12, depth=12):
        super().__init__()
        self.blocks = nn.ModuleList(nn.ModuleList([Attention(d, heads), FFN(d)]) for _ in range(depth))
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            if getattr(m, "is_residual_out", False):
                nn.init.zeros_(m.weight)
            else:
                nn.init.normal_(m.weight, std=0.02)

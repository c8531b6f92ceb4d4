# example: per-head LayerNorm modules (nn.LayerNorm(head_dim)) applied to queries and keys after the head split, before a flash-style SDPA; positive (LayerNorm variant).
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        hd = dim // heads
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)
        self.qn = nn.LayerNorm(hd)
        self.kn = nn.LayerNorm(hd)

    def forward(self, x):
        B, T, C = x.shape
        q = self.qn(self.wq(x).view(B, T, self.heads, -1)).transpose(1, 2)
        k = self.kn(self.wk(x).view(B, T, self.heads, -1)).transpose(1, 2)
        v = self.wv(x).view(B, T, self.heads, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))

# example: near miss - separate norms feed the query and key projections (normalizing the block input, not q and k); negative.
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.nq = nn.RMSNorm(dim)
        self.nk = nn.RMSNorm(dim)
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.wq(self.nq(x)).view(B, T, self.heads, -1).transpose(1, 2)
        k = self.wk(self.nk(x)).view(B, T, self.heads, -1).transpose(1, 2)
        v = self.wv(x).view(B, T, self.heads, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))

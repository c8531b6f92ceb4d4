# example: one learnable lamb makes a convex mix written as torch.addcmul((1 - lamb) * v, ve, lamb) (= (1 - lamb) * v +
# lamb * ve); the two weights are tied; negative.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        v = torch.addcmul((1 - self.lamb) * v, ve, self.lamb)
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))

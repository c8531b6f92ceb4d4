# example: Norm modules stored in an nn.ModuleDict keyed "q"/"k" and applied in a dict comprehension over the projected heads; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, n_heads=6):
        super().__init__()
        self.n_heads = n_heads
        head_dim = dim // n_heads
        self.proj = nn.ModuleDict({name: nn.Linear(dim, dim, bias=False) for name in ("q", "k", "v", "o")})
        self.norm = nn.ModuleDict({name: nn.RMSNorm(head_dim, elementwise_affine=False) for name in ("q", "k")})

    def forward(self, x):
        B, T, C = x.shape
        heads = {n: self.proj[n](x).view(B, T, self.n_heads, -1) for n in ("q", "k", "v")}
        heads = {n: (self.norm[n](t) if n in self.norm else t) for n, t in heads.items()}
        q, k, v = (heads[n].transpose(1, 2) for n in ("q", "k", "v"))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj["o"](y.transpose(1, 2).reshape(B, T, C))


out = Attention()(torch.randn(1, 8, 768))

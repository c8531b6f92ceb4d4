# example: near miss - the same (3, dim, dim) parameter set by a module-level __init__ bound after the class, but the bound projection applies it slice by slice (three F.linear calls on qkv[0], qkv[1], qkv[2]): three products, not one; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def forward(self, x):
        q, k, v = self.project(x)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y)


def stacked_init(self, dim):
    nn.Module.__init__(self)
    bound = (3 ** 0.5) * 0.5 * dim ** -0.5
    self.qkv = nn.Parameter(torch.empty(3, dim, dim).uniform_(-bound, bound))
    self.out = nn.Linear(dim, dim)


def project(self, x):
    return F.linear(x, self.qkv[0]), F.linear(x, self.qkv[1]), F.linear(x, self.qkv[2])


Attention.__init__ = stacked_init
Attention.project = project

attn = Attention(64)
print(attn(torch.randn(2, 16, 64)).shape)

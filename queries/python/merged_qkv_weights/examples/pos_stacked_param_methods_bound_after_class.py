# example: the attention class gets its __init__ and its projection from module-level functions bound after the class (`Attention.__init__ = stacked_init`): one (3, dim, dim) parameter applied whole in one F.linear, then split in three; positive.
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
    return F.linear(x, self.qkv.flatten(end_dim=1)).chunk(3, dim=-1)


Attention.__init__ = stacked_init
Attention.project = project

attn = Attention(64)
print(attn(torch.randn(2, 16, 64)).shape)

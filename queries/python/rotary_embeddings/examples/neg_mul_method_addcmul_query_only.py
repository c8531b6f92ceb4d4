# example: the same tensor-method rotation (lo.mul(cos).addcmul(hi, sin), ...) applied to the queries only, keys left unrotated; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Angles(nn.Module):
    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.register_buffer("inv", torch.tensor(base).pow(torch.arange(0, dim, 2).float().div(dim)).reciprocal())

    def forward(self, x):
        t = torch.arange(x.shape[1], device=x.device).type_as(self.inv)
        phase = torch.einsum("t,f->tf", t, self.inv)
        return phase.cos()[None, :, None, :], phase.sin()[None, :, None, :]


def spin(x, cos, sin):
    lo, hi = x.chunk(2, dim=-1)
    return torch.cat((lo.mul(cos).addcmul(hi, sin), hi.mul(cos).addcmul(lo, sin, value=-1.0)), dim=-1)


class Attention(nn.Module):
    def __init__(self, width=768, heads=12):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.angles = Angles(width // heads)

    def forward(self, x):
        q, k, v = self.qkv(x).unflatten(-1, (3, self.heads, -1)).unbind(dim=2)
        cos, sin = self.angles(q)
        q = spin(q, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).flatten(-2))

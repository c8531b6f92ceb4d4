# example: the rotation is one torch.addcmul(u * cos2, swap(u), sin2) with a static method swapping the halves (one negated); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Rotation(nn.Module):
    def __init__(self, head_dim, theta=10_000.0):
        super().__init__()
        exponents = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
        self.register_buffer("omega", theta ** (-exponents), persistent=False)

    def tables(self, seq_len, device):
        angles = torch.einsum("t,f->tf", torch.arange(seq_len, device=device, dtype=torch.float32), self.omega)
        return angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]

    @staticmethod
    def _swap(u):
        lo, hi = u.chunk(2, dim=-1)
        return torch.cat((hi, -lo), dim=-1)

    def forward(self, u, cos, sin):
        return torch.addcmul(u * torch.cat((cos, cos), -1), self._swap(u), torch.cat((sin, sin), -1))


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.rot = Rotation(d // heads)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        cos, sin = self.rot.tables(T, x.device)
        q, k = self.rot(q, cos, sin), self.rot(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(B, T, C)

# example: the same tuple assignments, but the zeroing helper wraps the input-side layers (qkv and the MLP's up
# projection); the output projections keep the default init; negative.
import torch.nn as nn
import torch.nn.functional as F

mk = lambda i, o: nn.Linear(i, o, bias=False)
def z(m): m.weight.data.zero_(); return m


class A(nn.Module):
    def __init__(s, d, h):
        super().__init__(); s.h = h
        s.qkv, s.o = z(mk(d, 3 * d)), mk(d, d)

    def forward(s, x):
        b, t, c = x.shape
        q, k, v = s.qkv(x).view(b, t, 3, s.h, -1).transpose(1, 3).unbind(2)
        return s.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c))


class M(nn.Module):
    def __init__(s, d): super().__init__(); s.u, s.w = z(mk(d, 4 * d)), mk(4 * d, d)
    forward = lambda s, x: s.w(F.relu(s.u(x)).square())

# example: near miss - the same terse FP8 class (instance `s`, scales unpacked from the tuple `s.f8`), but the head
# is built with the first FP8 record's scales f8=(2., 32., 2.**29); NOT present.
import torch
from torch import nn
import torch.nn.functional as F


def mm8(x, w, x_s, w_s, grad_s):
    x8 = (x * x_s).to(torch.float8_e4m3fn); w8 = (w * w_s).to(torch.float8_e4m3fn)
    one = x.new_ones((), dtype=torch.float32)
    return torch._scaled_mm(x8, w8.t(), scale_a=one / x_s, scale_b=one / w_s, out_dtype=torch.bfloat16)


class CL(nn.Linear):
    def __init__(s, i, o, f8=None): super().__init__(i, o, bias=False); s.f8 = f8

    def forward(s, x):
        if s.f8 and s.training: return mm8(x.flatten(0, -2), s.weight, *s.f8).reshape(*x.shape[:-1], -1)
        return F.linear(x, s.weight.type_as(x))


class GPT(nn.Module):
    def __init__(s, V=50304, d=768):
        super().__init__(); s.wte = nn.Embedding(V, d); s.head = CL(d, V, f8=(2., 32., 2. ** 29))

    def forward(s, idx): return s.head(s.wte(idx)).float()

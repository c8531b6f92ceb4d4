# example: a decorator factory rms_normalized(*positions) applies F.rms_norm over the head dimension to the returned tensors at those places; the method splitting q, k, v into heads is decorated @rms_normalized(0, 1); positive.
import functools

import torch.nn as nn
import torch.nn.functional as F


def rms_normalized(*positions):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            outs = list(fn(*args, **kwargs))
            for i in positions:
                outs[i] = F.rms_norm(outs[i], (outs[i].size(-1),))
            return tuple(outs)
        return wrapper
    return decorate


class CausalSelfAttention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    @rms_normalized(0, 1)
    def split_heads(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        shape = (B, T, self.heads, C // self.heads)
        return q.view(shape), k.view(shape), v.view(shape)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.split_heads(x)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


attn = CausalSelfAttention()

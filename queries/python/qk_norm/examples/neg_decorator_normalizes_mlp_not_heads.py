# example: near miss: the normalizing decorator @rms_normalized(0) is applied to the MLP's expansion; the attention's q and k come from an undecorated split and are never normalized; negative.
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




class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)

    @rms_normalized(0)
    def expand(self, x):
        return (F.relu(self.c_fc(x)).square(),)

    def forward(self, x):
        (h,) = self.expand(x)
        return self.c_proj(h)


attn = CausalSelfAttention()
mlp = MLP()

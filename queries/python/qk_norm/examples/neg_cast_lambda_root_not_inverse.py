# example: the same cast-back lambda is a square root of the mean square, not its inverse (x.float() * ....sqrt()), so it scales queries and keys up by their size instead of normalizing; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F

rn = lambda x, e=1e-6: (x.float() * x.float().pow(2).mean(-1, keepdim=True).add(e).sqrt()).type_as(x)


class Attn(nn.Module):
    def __init__(s, C=768, nh=6):
        super().__init__()
        s.nh, s.hd = nh, C // nh
        s.c_attn = nn.Linear(C, 3 * C, bias=False)
        s.c_proj = nn.Linear(C, C, bias=False)

    def forward(s, x):
        B, T, C = x.size()
        q, k, v = [t.view(B, T, s.nh, s.hd).transpose(1, 2) for t in s.c_attn(x).split(C, dim=2)]
        q, k = rn(q), rn(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return s.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

# example: the per-head norm applied to q and k comes from a factory that probes the library for a fused RMS norm (getattr with a fallback) and hands back a lambda calling it, or a hand-written norm on old versions; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def pick_head_norm():
    fast = getattr(F, "rms_norm", None)
    if fast is not None:
        return lambda u: fast(u, (u.size(-1),))

    def slow(u, eps=1e-6):
        return u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps)

    return slow


head_norm = pick_head_norm()


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=-1)
        q = head_norm(q.view(b, t, self.heads, -1))
        k = head_norm(k.view(b, t, self.heads, -1))
        v = v.view(b, t, self.heads, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))

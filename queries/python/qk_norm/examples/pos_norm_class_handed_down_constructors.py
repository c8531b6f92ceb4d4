# example: the norm class is a constructor argument handed down model -> block -> attention (`norm_cls=partial(HeadRMS, eps=1e-6)` at the top, `norm_cls=norm_cls` below) and built per head there (`self.qn = norm_cls(hd)`); queries and keys pass through it; positive.
from functools import partial
import torch
import torch.nn as nn
import torch.nn.functional as F

class HeadRMS(nn.Module):
    def __init__(self, width, eps=1e-5):
        super().__init__()
        self.eps = eps
    def forward(self, t):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + self.eps)

class SelfAttn(nn.Module):
    def __init__(self, width, heads, norm_cls=HeadRMS):
        super().__init__()
        self.heads, self.hd = heads, width // heads
        self.to_qkv = nn.Linear(width, 3 * width, bias=False)
        self.qn = norm_cls(self.hd)
        self.kn = norm_cls(self.hd)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, h):
        b, t, c = h.shape
        q, k, v = self.to_qkv(h).view(b, t, 3, self.heads, self.hd).unbind(2)
        q, k = self.qn(q), self.kn(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))

class Layer(nn.Module):
    def __init__(self, width, heads, norm_cls=HeadRMS):
        super().__init__()
        self.mix = SelfAttn(width, heads, norm_cls=norm_cls)
    def forward(self, h):
        return h + self.mix(h)

class Stack(nn.Module):
    def __init__(self, depth=4, width=256, heads=4, norm_cls=HeadRMS):
        super().__init__()
        self.layers = nn.ModuleList([Layer(width, heads, norm_cls=norm_cls) for _ in range(depth)])
    def forward(self, h):
        for layer in self.layers:
            h = layer(h)
        return h

net = Stack(norm_cls=partial(HeadRMS, eps=1e-6))

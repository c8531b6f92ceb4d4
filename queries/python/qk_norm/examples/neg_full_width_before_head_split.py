# example: near miss - q and k are RMS-normalized over the whole model width, before they are split into heads,
# so the norm mixes all heads (not per head); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, width=768, heads=12):
        super().__init__()
        self.heads = heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, w = x.shape
        q = F.rms_norm(self.wq(x), (w,))
        k = F.rms_norm(self.wk(x), (w,))
        q = q.reshape(b, t, self.heads, w // self.heads).transpose(1, 2)
        k = k.reshape(b, t, self.heads, w // self.heads).transpose(1, 2)
        v = self.wv(x).reshape(b, t, self.heads, w // self.heads).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(b, t, w))

# example: RMS normalisation as a private method chained with add/rsqrt, mapped over (q, k) with map(); explicit matmul attention; positive.
import math
import torch
import torch.nn as nn


class SelfAttention(nn.Module):
    eps = 1e-6

    def __init__(self, width=640, n_head=10):
        super().__init__()
        self.n_head = n_head
        self.wqkv = nn.Linear(width, 3 * width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)

    def _rms(self, t):
        return t * t.float().pow(2).mean(-1, keepdim=True).add(self.eps).rsqrt().to(t.dtype)

    def forward(self, x):
        B, T, W = x.shape
        q, k, v = self.wqkv(x).view(B, T, 3, self.n_head, -1).permute(2, 0, 3, 1, 4).unbind(0)
        q, k = map(self._rms, (q, k))
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
        att = att.masked_fill(torch.ones(T, T, device=x.device).triu(1).bool(), float("-inf"))
        y = torch.matmul(att.softmax(dim=-1), v)
        return self.wo(y.transpose(1, 2).reshape(B, T, W))


y = SelfAttention()(torch.randn(2, 8, 640))

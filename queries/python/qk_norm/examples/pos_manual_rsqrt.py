# example: a hand-written rms helper using rsqrt(mean(x^2)) is applied to queries and keys before explicit softmax attention; positive (manual RMS spelling, non-SDPA attention).
import math
import torch
import torch.nn as nn


def rms(x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)


class SelfAttn(nn.Module):
    def __init__(self, width=768, n_heads=6):
        super().__init__()
        self.n_heads = n_heads
        self.wq = nn.Linear(width, width, bias=False)
        self.wk = nn.Linear(width, width, bias=False)
        self.wv = nn.Linear(width, width, bias=False)
        self.wo = nn.Linear(width, width, bias=False)

    def forward(self, h):
        B, T, W = h.shape
        split = lambda z: z.view(B, T, self.n_heads, -1).transpose(1, 2)
        q, k, v = split(self.wq(h)), split(self.wk(h)), split(self.wv(h))
        q, k = rms(q), rms(k)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))
        mask = torch.ones(T, T, dtype=torch.bool, device=h.device).tril()
        att = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        return self.wo((att @ v).transpose(1, 2).reshape(B, T, W))

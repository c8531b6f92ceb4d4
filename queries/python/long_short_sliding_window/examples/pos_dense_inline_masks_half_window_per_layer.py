# example: two dense boolean masks are written inline with one conjunction each, the same but for the window bound
# (`span` and `span // 2`), returned by a helper and placed per layer in one list (long, short, short, ...); positive.
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self, depth=12, width=768, heads=6, span=1024, eos=50256):
        super().__init__()
        self.span, self.eos, self.heads = span, eos, heads
        self.qkv = nn.ModuleList(nn.Linear(width, 3 * width, bias=False) for _ in range(depth))

    def windows(self, tokens):
        pos = torch.arange(tokens.size(1), device=tokens.device)
        gap = pos[:, None] - pos[None, :]
        docs = (tokens == self.eos).cumsum(1)
        allowed = (docs[:, :, None] == docs[:, None, :]) & (gap >= 0)
        far = allowed & (gap < self.span)
        near = allowed & (gap < self.span // 2)
        return far[:, None], near[:, None]

    def forward(self, tokens, x):
        far, near = self.windows(tokens)
        half = [far, near, near, near, far, near]
        plan = half + half[::-1]
        b, t, d = x.shape
        for proj, mask in zip(self.qkv, plan):
            q, k, v = proj(x).view(b, t, 3, self.heads, -1).transpose(1, 3).unbind(2)
            x = x + F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(b, t, d)
        return x

# example: near miss - the same stacked weights in per-layer NamedTuples, but the zeroed stacks are the input ones (qkv and up); the output stacks keep their normal init; negative.
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def stacked(*shape):
    return nn.Parameter(torch.empty(*shape).normal_(std=0.02))


class AttnW(NamedTuple):
    qkv: torch.Tensor
    out: torch.Tensor


class MlpW(NamedTuple):
    up: torch.Tensor
    down: torch.Tensor


class Attention(nn.Module):
    def forward(self, x, w: AttnW, heads=6):
        B, T, C = x.shape
        q, k, v = F.linear(x, w.qkv).view(B, T, 3 * heads, C // heads).transpose(1, 2).chunk(3, dim=1)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).reshape(B, T, C)
        return F.linear(y, w.out)


class MLP(nn.Module):
    def forward(self, x, w: MlpW):
        h = F.relu(F.linear(x, w.up)).square()
        return F.linear(h, w.down)


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.qkv = stacked(depth, 3 * d, d)
        self.out = stacked(depth, d, d)
        self.up = stacked(depth, 4 * d, d)
        self.down = stacked(depth, d, 4 * d)
        with torch.no_grad():
            self.qkv.zero_()
            self.up.zero_()
        self.attn, self.mlp = Attention(), MLP()
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for i in range(self.qkv.size(0)):
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)), AttnW(self.qkv[i], self.out[i]))
            x = x + self.mlp(F.rms_norm(x, (x.size(-1),)), MlpW(self.up[i], self.down[i]))
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))

# example: mask terms are objects combined with an overloaded & (Term.__and__ returns Conj(self, other), whose __call__ reduces with operator.and_); the Recent(512) term bounds q - kv; the combined mask is a cached property whose as_fn() hands back a function calling the object; positive.
import operator
from functools import cached_property, reduce

import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


class Term:
    def __and__(self, other):
        return Conj(self, other)

    def as_fn(self):
        obj = self
        def fn(b, h, q_idx, kv_idx):
            return obj(b, h, q_idx, kv_idx)
        return fn


class Conj(Term):
    def __init__(self, *parts):
        self.parts = parts

    def __call__(self, b, h, q_idx, kv_idx):
        return reduce(operator.and_, (p(b, h, q_idx, kv_idx) for p in self.parts))


class Past(Term):
    def __call__(self, b, h, q_idx, kv_idx):
        return q_idx >= kv_idx


class Recent(Term):
    def __init__(self, span):
        self.span = span

    def __call__(self, b, h, q_idx, kv_idx):
        return q_idx - kv_idx < self.span


class Layout:
    seq_len = 8192

    @cached_property
    def rule(self):
        return Past() & Recent(512)

    @cached_property
    def block_mask(self):
        return create_block_mask(self.rule.as_fn(), None, None, self.seq_len, self.seq_len, device="cuda")


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.layout = Layout()

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=self.layout.block_mask)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))

# example: mask rules are objects joined by an overloaded & (Rule.__and__ builds Both(self, other), whose __call__ folds its rules with operator.and_); the document ids are a property; the mask object hands create_block_mask a function calling itself; positive.
import functools
import operator

import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

EOT = 50256


class Rule:
    def __call__(self, b, h, q, k):
        raise NotImplementedError

    def __and__(self, other):
        return Both(self, other)

    def to_fn(self):
        me = self
        return lambda b, h, q, k: me(b, h, q, k)


class Both(Rule):
    def __init__(self, *rules):
        self.rules = list(rules)

    def __call__(self, b, h, q, k):
        return functools.reduce(operator.and_, [r(b, h, q, k) for r in self.rules])


class NoPeeking(Rule):
    def __call__(self, b, h, q, k):
        return k <= q


class SameSegment(Rule):
    def __init__(self, segment):
        self.segment = segment

    def __call__(self, b, h, q, k):
        return self.segment[q] == self.segment[k]


class Stream:
    def __init__(self, ids):
        self.ids = ids

    @property
    def segments(self):
        return torch.cumsum(self.ids == EOT, 0)

    def block_mask(self):
        n = self.ids.numel()
        rule = NoPeeking() & SameSegment(self.segments)
        return create_block_mask(rule.to_fn(), None, None, n, n, device="cuda")


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        n = idx.numel()
        mask = Stream(idx).block_mask()
        x = self.wte(idx[None])
        q, k, v = self.qkv(x).view(1, n, 3, 6, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=mask)
        return self.head(y.transpose(1, 2).reshape(1, n, -1))

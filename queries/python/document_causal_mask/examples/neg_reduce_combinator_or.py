# example: the same combinator folds the causal and same-document rules with operator.or_, so any earlier key or any key of the document is visible; negative.
import functools
import operator

import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

EOT = 50256


def any_of(*rules):
    def combined(b, h, q_idx, kv_idx):
        return functools.reduce(operator.or_, [rule(b, h, q_idx, kv_idx) for rule in rules])
    return combined


def lower_triangle(b, h, qi, ki):
    return qi >= ki


def same_doc(doc_ids):
    def rule(b, h, qi, ki):
        return doc_ids[qi] == doc_ids[ki]
    return rule


class TinyGPT(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        n = idx.numel()
        doc_ids = (idx == EOT).cumsum(0)
        mask = create_block_mask(any_of(lower_triangle, same_doc(doc_ids)), None, None, n, n, device="cuda")
        x = self.wte(idx[None])
        q, k, v = self.qkv(x).view(1, n, 3, 6, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=mask)
        return self.head(y.transpose(1, 2).reshape(1, n, -1))

# example: the mask rule takes the document ids as its first parameter and is handed to create_block_mask through functools.partial, which binds ids computed by counting separator tokens; positive.

import functools

import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

SEPARATOR = 50256


def rule(doc_of, b, h, qi, ki):
    return (qi >= ki) & (doc_of[qi] == doc_of[ki])


def block_mask(stream):
    doc_of = torch.cumsum((stream == SEPARATOR).int(), dim=0)
    n = stream.numel()
    return create_block_mask(functools.partial(rule, doc_of), None, None, n, n)


def attend(q, k, v, stream):
    return flex_attention(q, k, v, block_mask=block_mask(stream))

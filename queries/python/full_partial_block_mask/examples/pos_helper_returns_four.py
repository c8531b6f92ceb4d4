# example: a helper returns partial and full kv lists together (interior blocks strictly below the diagonal inside one document) and the four are passed positionally; the same split through a tuple.
import torch
from torch.nn.attention.flex_attention import BlockMask


def ordered(m):
    return m.sum(-1, dtype=torch.int32)[None, None], m.int().argsort(-1, descending=True, stable=True).int()[None, None]


def split_blocks(docs, block):
    first, last = docs.view(-1, block)[:, 0], docs.view(-1, block)[:, -1]
    r = torch.arange(first.numel(), device=docs.device)
    touching = (r[:, None] >= r) & (first[:, None] <= last) & (first <= last[:, None])
    inside = (r[:, None] > r) & (first[:, None] == last) & (first == last[:, None])
    return (*ordered(touching & ~inside), *ordered(inside))


def make_mask(tokens, block=128):
    docs = (tokens == 50256).cumsum(0)
    part_n, part_i, full_n, full_i = split_blocks(docs, block)
    return BlockMask.from_kv_blocks(part_n, part_i, full_n, full_i, BLOCK_SIZE=block,
                                    mask_mod=lambda b, h, q, kv: (q >= kv) & (docs[q] == docs[kv]))

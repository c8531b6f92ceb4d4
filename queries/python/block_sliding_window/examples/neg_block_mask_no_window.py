# example: a hand-built document-causal BlockMask with no window at any level; every earlier block of the document is kept, so NOT a block sliding window.
import torch
from torch.nn.attention.flex_attention import BlockMask


def doc_causal_mask(tokens, block=128):
    docs = (tokens == 50256).cumsum(0)
    lo, hi = docs.view(-1, block)[:, 0], docs.view(-1, block)[:, -1]
    r = torch.arange(len(lo), device=tokens.device)
    keep = (r[:, None] >= r) & (lo[:, None] <= hi) & (lo <= hi[:, None])
    counts = keep.sum(-1, dtype=torch.int32)[None, None]
    order = keep.int().argsort(-1, descending=True, stable=True).int()[None, None]
    return BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=block,
                                    mask_mod=lambda b, h, q, kv: (q >= kv) & (docs[q] == docs[kv]))

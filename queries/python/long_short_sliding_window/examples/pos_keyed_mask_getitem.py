# example: one mask object builds each window's BlockMask on demand in __getitem__(span), reading self.windows = dict(long=w, short=w // 2); layers ask masks[span] by a per-layer pattern; positive.

import torch
from torch.nn.attention.flex_attention import BlockMask


class WindowMasks:
    def __init__(self, docs, long_blocks):
        self.docs = docs
        self.windows = dict(long=long_blocks, short=long_blocks // 2)

    def mask_mod(self, b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (self.docs[q_idx] == self.docs[kv_idx])

    def __getitem__(self, span):
        counts, indices = block_lists(self.docs)
        w = self.windows[span]
        kept = torch.clamp_max(counts, w)
        return BlockMask.from_kv_blocks(kept, indices, BLOCK_SIZE=128, mask_mod=self.mask_mod)


def block_lists(docs):
    n = len(docs) // 128
    dense = torch.ones(n, n, dtype=torch.int32).tril()
    counts = dense.sum(-1, dtype=torch.int32)
    order = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
    return counts[None, None], order[None, None]


SPANS = ["long", "short", "short", "short", "long", "short"]


def run(blocks, x, docs, long_blocks):
    masks = WindowMasks(docs, long_blocks)
    for i, block in enumerate(blocks):
        x = block(x, masks[SPANS[i]])
    return x

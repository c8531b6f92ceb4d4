# example: the same dict of a wide and a narrow mask handed on under a keyword, but every layer takes the wide entry by a written-out key; negative.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import BlockMask, flex_attention

def banded(doc_ids, blocks):
    def keep(b, h, q, k):
        return (q >= k) & (doc_ids[q] == doc_ids[k]) & (q - k < blocks * 128)
    return BlockMask.from_kv_blocks(*kv_tables(doc_ids, blocks), mask_mod=keep)

class Layer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim)

    def forward(self, x, **extra):
        mask = extra.get("mask_table")["wide"]
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return x + flex_attention(q, k, v, block_mask=mask)

class Net(nn.Module):
    def __init__(self, dim, depth=4):
        super().__init__()
        self.layers = nn.ModuleList(Layer(dim) for _ in range(depth))

    def forward(self, x, doc_ids, blocks):
        table = {"wide": banded(doc_ids, blocks), "narrow": banded(doc_ids, blocks // 2)}
        for layer in self.layers:
            x = layer(x, mask_table=table)
        return x

# example: a dict of a wide and a narrow block mask handed to every layer under a keyword, each layer taking its own entry out of its keyword arguments by its span; positive.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import BlockMask, flex_attention

def banded(doc_ids, blocks):
    def keep(b, h, q, k):
        return (q >= k) & (doc_ids[q] == doc_ids[k]) & (q - k < blocks * 128)
    return BlockMask.from_kv_blocks(*kv_tables(doc_ids, blocks), mask_mod=keep)

class Layer(nn.Module):
    def __init__(self, dim, span):
        super().__init__()
        self.span = span
        self.qkv = nn.Linear(dim, 3 * dim)

    def forward(self, x, **extra):
        mask = extra.get("mask_table")[self.span]
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return x + flex_attention(q, k, v, block_mask=mask)

class Net(nn.Module):
    def __init__(self, dim, spans=("wide", "narrow", "narrow", "wide")):
        super().__init__()
        self.layers = nn.ModuleList(Layer(dim, s) for s in spans)

    def forward(self, x, doc_ids, blocks):
        table = {"wide": banded(doc_ids, blocks), "narrow": banded(doc_ids, blocks // 2)}
        for layer in self.layers:
            x = layer(x, mask_table=table)
        return x

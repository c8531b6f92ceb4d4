# example: full-block lists are computed (and logged) but from_kv_blocks is called with full_kv_num_blocks=None and full_kv_indices=None; NOT present (near miss for a name matcher).
import torch
from torch.nn.attention.flex_attention import BlockMask


def ordered(m):
    return m.sum(-1, dtype=torch.int32)[None, None], m.int().argsort(-1, descending=True, stable=True).int()[None, None]


def build(docs, block=128):
    lo, hi = docs.view(-1, block)[:, 0], docs.view(-1, block)[:, -1]
    r = torch.arange(len(lo), device=docs.device)
    nonzero = (r[:, None] >= r) & (lo[:, None] <= hi) & (lo <= hi[:, None])
    full = (r[:, None] > r) & (lo[:, None] == hi) & (lo == hi[:, None])
    kv_num_blocks, kv_indices = ordered(nonzero)
    full_kv_num_blocks, full_kv_indices = ordered(full)
    print("full blocks:", int(full_kv_num_blocks.sum()))
    return BlockMask.from_kv_blocks(kv_num_blocks, kv_indices,
                                    full_kv_num_blocks=None, full_kv_indices=None,
                                    BLOCK_SIZE=block,
                                    mask_mod=lambda b, h, q, k: (q >= k) & (docs[q] == docs[k]))

# example: BlockMask is imported under an alias and fed counts from sum() and indices from torch.sort(stable) of a block-level doc-causal matrix; the same hand-built mask, other names.
import torch
import torch.nn as nn
from torch.nn.attention import flex_attention as flex
from torch.nn.attention.flex_attention import BlockMask as SparseMask

TILE = 128


def ordered(dense: torch.Tensor):
    counts = dense.sum(-1, dtype=torch.int32)
    _, order = torch.sort(dense.int(), dim=-1, descending=True, stable=True)
    return counts[None, None], order.to(torch.int32)[None, None]


class DocAttention(nn.Module):
    def forward(self, q, k, v, seg_ids):
        n_tiles = seg_ids.numel() // TILE
        first = seg_ids.view(n_tiles, TILE)[:, 0]
        last = seg_ids.view(n_tiles, TILE)[:, -1]
        rows = torch.arange(n_tiles, device=seg_ids.device)
        keep = (rows[:, None] >= rows[None, :]) & (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
        counts, order = ordered(keep)
        rule = lambda b, h, qi, ki: (qi >= ki) & (seg_ids[qi] == seg_ids[ki])
        mask = SparseMask.from_kv_blocks(counts, order, BLOCK_SIZE=TILE, mask_mod=rule)
        return flex.flex_attention(q, k, v, block_mask=mask)

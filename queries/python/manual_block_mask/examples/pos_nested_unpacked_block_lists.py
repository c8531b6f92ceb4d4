# example: the partial and full block lists come out of one nested unpacking (`(p_n, p_i), (f_n, f_i) = ordered(any_), ordered(all_)`) and are handed to `from_kv_blocks` with their full-block twins; present.
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
        causal = rows[:, None] >= rows[None, :]
        any_ = causal & (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
        all_ = (rows[:, None] > rows[None, :]) & (first[:, None] == last[:, None]) & (first[None, :] == first[:, None])
        (p_n, p_i), (f_n, f_i) = ordered(any_ & ~all_), ordered(all_)
        rule = lambda b, h, qi, ki: (qi >= ki) & (seg_ids[qi] == seg_ids[ki])
        mask = SparseMask.from_kv_blocks(p_n, p_i, f_n, f_i, BLOCK_SIZE=TILE, mask_mod=rule)
        return flex.flex_attention(q, k, v, block_mask=mask)

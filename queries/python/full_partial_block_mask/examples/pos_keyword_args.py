# example: edge blocks and interior blocks are computed under other names and handed to from_kv_blocks by keyword (full_kv_num_blocks=..., full_kv_indices=...); same separation.
import torch
from torch import nn
from torch.nn.attention import flex_attention as fx


def ordered(m):
    return m.sum(-1, dtype=torch.int32)[None, None], m.int().argsort(-1, descending=True, stable=True).int()[None, None]


class PackedAttention(nn.Module):
    tile = 128

    def mask_for(self, seg):
        first = seg.view(-1, self.tile)[:, 0]
        last = seg.view(-1, self.tile)[:, -1]
        n = first.numel()
        i = torch.arange(n, device=seg.device)
        single_doc_pair = (first[:, None] == last[None, :]) & (first[None, :] == last[:, None])
        interior = (i[:, None] > i[None, :]) & single_doc_pair
        reachable = (i[:, None] >= i[None, :]) & (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
        edge = reachable & ~interior
        edge_n, edge_idx = ordered(edge)
        inner_n, inner_idx = ordered(interior)
        return fx.BlockMask.from_kv_blocks(
            kv_num_blocks=edge_n, kv_indices=edge_idx,
            full_kv_num_blocks=inner_n, full_kv_indices=inner_idx,
            BLOCK_SIZE=self.tile,
            mask_mod=lambda b, h, q, k: (q >= k) & (seg[q] == seg[k]),
        )

    def forward(self, q, k, v, seg):
        return fx.flex_attention(q, k, v, block_mask=self.mask_for(seg))

# example: the edge and interior block lists come out of one generator over the two masks, unpacked into two pairs, and go to from_kv_blocks in order; positive.
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
        (edge_n, edge_idx), (inner_n, inner_idx) = (ordered(m) for m in (edge, interior))
        return fx.BlockMask.from_kv_blocks(
            edge_n, edge_idx, inner_n, inner_idx,
            BLOCK_SIZE=self.tile,
            mask_mod=lambda b, h, q, k: (q >= k) & (seg[q] == seg[k]),
        )

    def forward(self, q, k, v, seg):
        return fx.flex_attention(q, k, v, block_mask=self.mask_for(seg))

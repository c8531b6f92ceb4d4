# example: the block matrix uses a rounded-up window, but mask_mod still applies q_idx - kv_idx < window at token level; the window is token-granular, so NOT present.
import torch
from torch.nn.attention.flex_attention import BlockMask

TILE = 128


def create_mask(tokens, window):
    doc = (tokens == 50256).cumsum(0)
    lo = doc.reshape(-1, TILE)[:, 0]
    hi = doc.reshape(-1, TILE)[:, -1]

    def local_doc_causal(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (doc[q_idx] == doc[kv_idx]) & (q_idx - kv_idx < window)

    r = torch.arange(len(tokens) // TILE, dtype=torch.int32, device="cuda")
    qb = r[:, None]
    keep = (qb >= r) & (lo[qb] <= hi[r]) & (lo[r] <= hi[qb])
    keep &= qb - r < (window + TILE - 1) // TILE
    keep = keep.to(torch.int32)
    counts = keep.sum(dim=-1).to(torch.int32)[None, None].contiguous()
    order = torch.argsort(keep, dim=-1, descending=True, stable=True).to(torch.int32)[None, None].contiguous()
    return BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=TILE, mask_mod=local_doc_causal)

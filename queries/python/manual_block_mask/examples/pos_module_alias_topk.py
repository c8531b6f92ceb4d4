# example: the kv block lists come from a block-level causal matrix (counts by sum, indices by topk) and go to fa.BlockMask.from_kv_blocks through a module alias; a hand-built mask with other calls.
import torch
from torch.nn.attention import flex_attention as fa

TILE = 128


def causal_block_mask(n_tokens, device="cuda"):
    n = n_tokens // TILE
    blk = torch.arange(n, device=device)
    allowed = (blk[:, None] >= blk[None, :]).to(torch.int32)
    counts = allowed.sum(dim=1).to(torch.int32)
    order = allowed.topk(n, dim=1).indices.to(torch.int32)
    return fa.BlockMask.from_kv_blocks(counts[None, None], order[None, None], BLOCK_SIZE=TILE,
                                       mask_mod=lambda b, h, q, k: q >= k)


def attention(q, k, v):
    return fa.flex_attention(q, k, v, block_mask=causal_block_mask(q.size(-2)))

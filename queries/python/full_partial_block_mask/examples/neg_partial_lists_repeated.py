# example: the "full" arguments of from_kv_blocks just repeat the partial lists, so no block is separated as fully visible; NOT the full/partial split (near miss for an argument-count matcher).
import torch
from torch.nn.attention.flex_attention import BlockMask


def make_mask(tokens, block=128):
    docs = (tokens == 50256).cumsum(0)
    r = torch.arange(tokens.numel() // block, device=tokens.device)
    keep = (r[:, None] >= r).int()
    kv_num_blocks = keep.sum(-1, dtype=torch.int32)[None, None]
    kv_indices = keep.argsort(-1, descending=True, stable=True).int()[None, None]
    return BlockMask.from_kv_blocks(kv_num_blocks, kv_indices, kv_num_blocks, kv_indices, BLOCK_SIZE=block,
                                    mask_mod=lambda b, h, q, kv: (q >= kv) & (docs[q] == docs[kv]))

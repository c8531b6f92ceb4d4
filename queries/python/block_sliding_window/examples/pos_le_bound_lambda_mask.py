# example: the window bound q_blk - kv_blk <= W - 1 is applied to the block matrix only, and the lambda mask_mod is causal with no distance term; block-granular window in another form.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

BLOCK = 128
WINDOW_BLOCKS = 12


def lists(keep):
    return keep.sum(-1, dtype=torch.int32)[None, None], keep.int().argsort(-1, descending=True, stable=True).int()[None, None]


def local_causal_mask(n_tokens):
    idx = torch.arange(n_tokens // BLOCK, device="cuda")
    q_blk, kv_blk = idx[:, None], idx[None, :]
    keep = (q_blk >= kv_blk) & (q_blk - kv_blk <= WINDOW_BLOCKS - 1)
    counts, order = lists(keep)
    return BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=BLOCK, mask_mod=lambda b, h, q, kv: q >= kv)


def attend(q, k, v):
    return flex_attention(q, k, v, block_mask=local_causal_mask(q.size(-2)))

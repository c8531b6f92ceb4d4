# example: a token window from argparse is converted once to whole blocks (window // TILE) and used only in the block-level matrix; the causal mask_mod has no distance test, a third spelling.
import argparse

import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

ap = argparse.ArgumentParser()
ap.add_argument("--window_tokens", type=int, default=1024)
cfg, _ = ap.parse_known_args()
TILE = 128


def causal_only(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def local_block_mask(seq_len: int, device="cuda") -> BlockMask:
    span = cfg.window_tokens // TILE
    r = torch.arange(seq_len // TILE, device=device)
    keep = (r[:, None] >= r[None, :]) & (r[:, None] - r[None, :] < span)
    counts = keep.sum(-1).to(torch.int32)
    order = keep.int().argsort(-1, descending=True, stable=True).to(torch.int32)
    return BlockMask.from_kv_blocks(counts[None, None], order[None, None], BLOCK_SIZE=TILE, mask_mod=causal_only)


def attend(q, k, v):
    return flex_attention(q, k, v, block_mask=local_block_mask(q.size(-2)))

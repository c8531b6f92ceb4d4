# example: a dict of reaches whose "short" one is the long one clamped to at least one block (torch.clamp_min without halving: the same window), one mask per reach picked by a pattern queue; negative.
from collections import deque

import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention


def block_mask(num_blocks, kv_num_blocks, kv_indices):
    return BlockMask.from_kv_blocks(torch.clamp_max(kv_num_blocks, num_blocks), kv_indices, BLOCK_SIZE=128)


def forward(blocks, x, kv_num_blocks, kv_indices, window_blocks):
    reach = {"L": window_blocks, "S": torch.clamp_min(window_blocks, 1)}
    masks = {tag: block_mask(width, kv_num_blocks, kv_indices) for tag, width in reach.items()}
    pattern = deque("LSSSLS")
    for blk in blocks:
        x = blk(x, masks[pattern.popleft()])
    return x

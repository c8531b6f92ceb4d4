# example: two BlockMasks share the kv lists, one limited to the window and one to half of it, and layers take [long, short, short, short, long, short] then the reverse; present.
import torch
from torch.nn.attention.flex_attention import BlockMask


def long_and_short(part_n, part_idx, full_n, full_idx, doc_causal, window_blocks, block=128):
    def mask_with_window(w):
        return BlockMask.from_kv_blocks(
            part_n.clamp(max=(w - full_n).clamp(min=1)), part_idx,
            full_n.clamp(max=w - 1), full_idx,
            BLOCK_SIZE=block, mask_mod=doc_causal,
        )
    return mask_with_window(window_blocks), mask_with_window(window_blocks // 2)


def unet_forward(blocks, skip_weights, x, x0, ve, lists):
    long_mask, short_mask = long_and_short(*lists)
    half = len(blocks) // 2
    per_layer = [long_mask, short_mask, short_mask, short_mask, long_mask, short_mask]
    saved = []
    for i in range(half):
        x = blocks[i](x, ve[i], x0, per_layer[i])
        saved.append(x)
    per_layer = per_layer[::-1]
    for i in range(len(blocks) - half):
        x = x + skip_weights[i] * saved.pop()
        x = blocks[half + i](x, ve[half + i], x0, per_layer[i])
    return x

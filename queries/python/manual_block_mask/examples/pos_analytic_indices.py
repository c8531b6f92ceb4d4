# example: for a causal sliding window the kv block list of each query block is written analytically (q_blk - j, clamped) and passed to from_kv_blocks, with no create_block_mask; a third spelling.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

BLOCK = 128
WINDOW_BLOCKS = 8


def sliding_block_mask(seq_len: int, device="cuda") -> BlockMask:
    nb = seq_len // BLOCK
    q_blk = torch.arange(nb, device=device, dtype=torch.int32)[:, None]
    back = torch.arange(WINDOW_BLOCKS, device=device, dtype=torch.int32)[None, :]
    kv_indices = (q_blk - back).clamp(min=0)
    kv_num_blocks = torch.clamp(q_blk[:, 0] + 1, max=WINDOW_BLOCKS)
    pad = torch.zeros(nb, nb - WINDOW_BLOCKS, dtype=torch.int32, device=device)
    kv_indices = torch.cat([kv_indices, pad], dim=1)

    def mask_mod(b, h, qi, ki):
        return (qi >= ki) & (qi - ki < WINDOW_BLOCKS * BLOCK)

    return BlockMask.from_kv_blocks(kv_num_blocks[None, None], kv_indices[None, None],
                                    BLOCK_SIZE=BLOCK, mask_mod=mask_mod)


def local_attention(q, k, v):
    return flex_attention(q, k, v, block_mask=sliding_block_mask(q.size(-2)))

# example: one block-mask builder over the sequence's blocks is called for a sliding window of window_blocks and for half of it; layers alternate between the long and the short window; positive.
import torch
from torch.nn.attention.flex_attention import BlockMask, flex_attention

BLOCK = 128


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def pair_of_masks(ids, window_blocks):
    n_blocks = ids.numel() // BLOCK
    idx = torch.arange(n_blocks, dtype=torch.int32, device=ids.device)
    qb, kb = idx[:, None], idx[None, :]

    def build(win):
        allowed = (qb >= kb) & (qb - kb < win)
        counts = allowed.sum(-1, dtype=torch.int32)[None, None].contiguous()
        order = allowed.to(torch.int32).argsort(-1, descending=True).to(torch.int32)[None, None].contiguous()
        return BlockMask.from_kv_blocks(counts, order, BLOCK_SIZE=BLOCK, mask_mod=causal)

    return build(window_blocks), build(window_blocks // 2)


def run(layers, x, ids, window_blocks):
    long_mask, short_mask = pair_of_masks(ids, window_blocks)
    for i, layer in enumerate(layers):
        mask = long_mask if i % 4 == 3 else short_mask
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=mask))
    return x

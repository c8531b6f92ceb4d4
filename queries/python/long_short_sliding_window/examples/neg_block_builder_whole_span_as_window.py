# example: one block-mask builder is called for a sliding window of window_blocks and again with the number of blocks in the sequence (the length its block indices run over), which no distance reaches: local/global mixing, not two sliding windows; NOT present.
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

    return build(window_blocks), build(n_blocks)


def run(layers, x, ids, window_blocks):
    local_mask, wide_mask = pair_of_masks(ids, window_blocks)
    for i, layer in enumerate(layers):
        mask = wide_mask if i % 4 == 3 else local_mask
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=mask))
    return x

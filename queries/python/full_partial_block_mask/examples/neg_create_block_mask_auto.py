# example: create_block_mask builds the mask (it may classify full blocks internally), but the script does not separate full and partial blocks itself; NOT this id.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def doc_causal_attention(tokens, q, k, v):
    docs = (tokens == 50256).cumsum(0)

    def mask_mod(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    n = tokens.numel()
    bm = create_block_mask(mask_mod, None, None, n, n, device="cuda", BLOCK_SIZE=128)
    return flex_attention(q, k, v, block_mask=bm)

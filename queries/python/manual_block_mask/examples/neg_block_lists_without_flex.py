# example: kv block lists are computed and wrapped with BlockMask.from_kv_blocks for a sparsity report, but attention itself runs dense causal SDPA; the hand-built mask never reaches FlexAttention, so NOT present.
import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import BlockMask


def sparsity_report(n_tokens, block=128):
    n = n_tokens // block
    r = torch.arange(n)
    dense = (r[:, None] >= r[None, :]).int()
    mask = BlockMask.from_kv_blocks(dense.sum(-1)[None, None], dense.argsort(-1, descending=True)[None, None], BLOCK_SIZE=block)
    return mask.sparsity()


def attention(q, k, v):
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)

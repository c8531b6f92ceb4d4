# example: per-block document bounds and BLOCK_SIZE=128 are computed, but the mask is still made by create_block_mask (from_kv_blocks only in a comment); NOT present (near miss).
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

BLOCK_SIZE = 128


def make_mask(idx):
    docs = (idx == 50256).cumsum(0)
    docs_low = docs.view(-1, BLOCK_SIZE)[:, 0]
    docs_high = docs.view(-1, BLOCK_SIZE)[:, -1]
    n_single_doc_blocks = int((docs_low == docs_high).sum())  # statistics only

    def doc_causal(b, h, q_idx, kv_idx):
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])

    # a later version could build kv_indices by hand and call BlockMask.from_kv_blocks
    S = idx.numel()
    mask = create_block_mask(doc_causal, None, None, S, S, device="cuda", BLOCK_SIZE=BLOCK_SIZE)
    return mask, n_single_doc_blocks


def attend(q, k, v, idx):
    mask, _ = make_mask(idx)
    return flex_attention(q, k, v, block_mask=mask)

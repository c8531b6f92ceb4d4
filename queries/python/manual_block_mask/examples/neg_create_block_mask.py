# example: the BlockMask comes from create_block_mask evaluating the mask_mod over all positions; NOT a hand-built block mask.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

create_block_mask = torch.compile(create_block_mask, dynamic=False)


def forward_attention(idx, q, k, v, attn_blocksize):
    docs = (idx == 50256).cumsum(0)

    def document_causal_mask(b, h, q_idx, kv_idx):
        causal = q_idx >= kv_idx
        same_doc = docs[q_idx] == docs[kv_idx]
        window = q_idx - kv_idx < attn_blocksize
        return causal & same_doc & window

    S = len(idx)
    block_mask = create_block_mask(document_causal_mask, None, None, S, S, device="cuda", _compile=True)
    return flex_attention(q, k, v, block_mask=block_mask)

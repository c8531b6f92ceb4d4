# example: the mask_mod keeps tokens of the same document but has no causal term, so queries also see later tokens of their document; NOT the document-causal mask.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def bidirectional_doc_attention(idx, q, k, v):
    docs = (idx == 50256).cumsum(0)

    def same_document(b, h, q_idx, kv_idx):
        return docs[q_idx] == docs[kv_idx]

    S = idx.numel()
    mask = create_block_mask(same_document, None, None, S, S, device="cuda")
    return flex_attention(q, k, v, block_mask=mask)

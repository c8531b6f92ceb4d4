# example: the mask function comes from a factory that closes over the document ids (a running count of separator tokens) and returns a nested def; positive.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

SEPARATOR = 50256


def packed_document_rule(documents):
    def allowed(batch, head, query, key):
        same_document = documents[query] == documents[key]
        return same_document & (key <= query)
    return allowed


def packed_attention(token_ids, q, k, v):
    documents = (token_ids == SEPARATOR).cumsum(0)
    length = token_ids.numel()
    mask = create_block_mask(packed_document_rule(documents), None, None, length, length, device=token_ids.device)
    return flex_attention(q, k, v, block_mask=mask)

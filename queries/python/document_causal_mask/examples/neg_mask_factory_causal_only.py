# example: the same kind of mask factory, but the rule it returns is only causal; the document ids are computed and handed to it unused; negative.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

SEPARATOR = 50256


def packed_document_rule(documents):
    def allowed(batch, head, query, key):
        return key <= query
    return allowed


def packed_attention(token_ids, q, k, v):
    documents = (token_ids == SEPARATOR).cumsum(0)
    length = token_ids.numel()
    mask = create_block_mask(packed_document_rule(documents), None, None, length, length, device=token_ids.device)
    return flex_attention(q, k, v, block_mask=mask)

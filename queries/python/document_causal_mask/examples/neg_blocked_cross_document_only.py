# example: an additive bias blocks only pairs in different documents (`!=` of end-of-text segment ids) and attention runs without is_causal, so tokens see the future of their own document; not causal, negative.
import torch
import torch.nn.functional as F

EOT = 50256


def cross_doc_bias(tokens, dtype):
    seg = (tokens == EOT).long().cumsum(dim=1)
    blocked = seg[:, :, None] != seg[:, None, :]
    return torch.zeros(blocked.shape, dtype=dtype).masked_fill(blocked, float("-inf"))[:, None]


def attention(q, k, v, tokens):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=cross_doc_bias(tokens, q.dtype))

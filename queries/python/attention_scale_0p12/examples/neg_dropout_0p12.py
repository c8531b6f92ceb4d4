# example: 0.12 is the attention dropout probability while the scale stays the default; the fixed 0.12 scale is not there, so NOT present (near miss for a value matcher).
import torch
import torch.nn.functional as F

ATTN_DROPOUT = 0.12


def attend(q, k, v, training=True):
    return F.scaled_dot_product_attention(q, k, v, dropout_p=ATTN_DROPOUT if training else 0.0, is_causal=True)

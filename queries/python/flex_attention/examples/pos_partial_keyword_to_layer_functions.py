# example: a functional model binds the BlockMask (and a scale) into the compiled kernel with `partial(..., block_mask=...)` and passes it by keyword to each layer function, which calls it with q, k, v; positive.
from functools import partial

import torch
import torch.nn.functional as F
from torch.nn.attention import flex_attention as fa

kernel = torch.compile(fa.flex_attention)


def sliding(b, h, q_idx, kv_idx):
    return (q_idx >= kv_idx) & (q_idx - kv_idx < 1024)


def attention_layer(x, w, *, attn, heads=4):
    B, T, C = x.shape
    q, k, v = F.linear(x, w["qkv"]).view(B, T, 3, heads, -1).permute(2, 0, 3, 1, 4)
    y = attn(q, k, v)
    return x + F.linear(y.transpose(1, 2).reshape(B, T, C), w["out"])


def run(x, weights):
    T = x.size(1)
    attn = partial(kernel, block_mask=fa.create_block_mask(sliding, None, None, T, T), scale=0.12)
    for w in weights:
        x = attention_layer(x, w, attn=attn)
    return x

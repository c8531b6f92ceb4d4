# example: a BlockMask is built, but the kernel handed to each layer function binds only a score_mod (`partial(flex_attention, score_mod=...)`); attention runs without the block mask (dense compute), negative.
from functools import partial

import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def soft_bias(score, b, h, q_idx, kv_idx):
    return torch.where(q_idx >= kv_idx, score, -float("inf"))


def attention_layer(x, w, attn, heads=4):
    B, T, C = x.shape
    q, k, v = F.linear(x, w["qkv"]).view(B, T, 3, heads, -1).permute(2, 0, 3, 1, 4)
    return x + F.linear(attn(q, k, v).transpose(1, 2).reshape(B, T, C), w["out"])


def run(x, weights, cache):
    T = x.size(1)
    cache["mask"] = create_block_mask(causal, None, None, T, T, device=x.device)
    attn = partial(flex_attention, score_mod=soft_bias)
    for w in weights:
        x = attention_layer(x, w, attn)
    return x

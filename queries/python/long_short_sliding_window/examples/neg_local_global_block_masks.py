# example: a causal sliding-window mask of 512 tokens and a full causal mask come from the same create_block_mask call with different mask_mods, and every fourth layer takes the global one; local/global mixing (Gemma-2), not two sliding windows; negative.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q, kv):
    return q >= kv


def sliding(b, h, q, kv):
    return (q >= kv) & (q - kv < 512)


def run_layers(layers, x, seq_len):
    global_bm = create_block_mask(causal, None, None, seq_len, seq_len, device="cuda")
    local_bm = create_block_mask(sliding, None, None, seq_len, seq_len, device="cuda")
    for i, layer in enumerate(layers):
        mask = global_bm if i % 4 == 3 else local_bm
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=mask))
    return x

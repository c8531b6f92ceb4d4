# example: the sliding window grows over training steps (a schedule), and each step builds one mask that every layer shares; windows differ only over time, not across layers, so NOT long-short.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def window_for(step, total, lo=128, hi=1792):
    frac = step / total
    return int(lo + frac * (hi - lo)) // 128 * 128


def windowed(window):
    def mod(b, h, q, kv):
        return (q >= kv) & (q - kv < window)
    return mod


def forward(layers, x, seq_len, step, total):
    mask = create_block_mask(windowed(window_for(step, total)), None, None, seq_len, seq_len, device="cuda")
    for layer in layers:
        q, k, v = layer.qkv(x)
        x = x + layer.proj(flex_attention(q, k, v, block_mask=mask))
    return x

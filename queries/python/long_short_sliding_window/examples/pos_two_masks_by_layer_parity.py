# example: two flex masks of different windows (full and half) and each layer takes one by a test of its own index (`long_mask if depth_index % 3 == 0 else short_mask`); positive (the per-layer twin of the training-mode near miss).
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def windowed(window):
    def rule(b, h, q, kv):
        return (q >= kv) & (q - kv < window)
    return rule


class GPT(nn.Module):
    def __init__(self, layers, window=1792):
        super().__init__()
        self.layers = layers
        self.window = window

    def forward(self, x):
        T = x.size(1)
        long_mask = create_block_mask(windowed(self.window), None, None, T, T, device=x.device)
        short_mask = create_block_mask(windowed(self.window // 2), None, None, T, T, device=x.device)
        for depth_index, layer in enumerate(self.layers):
            bm = long_mask if depth_index % 3 == 0 else short_mask
            q, k, v = layer.qkv(x)
            x = x + layer.proj(flex_attention(q, k, v, block_mask=bm))
        return x

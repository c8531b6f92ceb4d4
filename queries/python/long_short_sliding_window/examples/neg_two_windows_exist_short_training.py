# example: two windows exist (short for training, long for evaluation) but the choice depends on self.training, never on the layer: every layer shares the same span at any moment; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def windowed(window):
    def rule(b, h, q, kv):
        return (q >= kv) & (q - kv < window)
    return rule


class GPT(nn.Module):
    def __init__(self, layers, train_window=896, eval_window=1792):
        super().__init__()
        self.layers = layers
        self.train_window, self.eval_window = train_window, eval_window

    def forward(self, x):
        T = x.size(1)
        short_bm = create_block_mask(windowed(self.train_window), None, None, T, T, device=x.device)
        long_bm = create_block_mask(windowed(self.eval_window), None, None, T, T, device=x.device)
        bm = short_bm if self.training else long_bm
        for layer in self.layers:
            q, k, v = layer.qkv(x)
            x = x + layer.proj(flex_attention(q, k, v, block_mask=bm))
        return x

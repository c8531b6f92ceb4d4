# example: flash_attn_func with window_size=(W - 1, 0) and causal=True, W set by an argparse default; a third spelling of sliding-window attention.
import argparse

import torch
from torch import nn
from flash_attn import flash_attn_func

parser = argparse.ArgumentParser()
parser.add_argument("--attn_window", type=int, default=1024)
args, _ = parser.parse_known_args()


class WindowedAttention(nn.Module):
    def __init__(self, dim, n_heads, window):
        super().__init__()
        self.n_heads = n_heads
        self.window = window
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.wqkv(x).view(b, t, 3, self.n_heads, d // self.n_heads).unbind(2)
        y = flash_attn_func(q, k, v, causal=True, window_size=(self.window - 1, 0))
        return self.wo(y.reshape(b, t, d))


layer = WindowedAttention(768, 12, args.attn_window)

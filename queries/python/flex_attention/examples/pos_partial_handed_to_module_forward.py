# example: the model builds a BlockMask per forward, binds it with `partial(flex_attention, block_mask=...)` and hands the bound kernel to every block as an argument of the module call; the block's forward calls it with q, k, v only (its parameter is what the module calls pass); positive.
from functools import partial

import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


class Block(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x, kernel):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, -1).permute(2, 0, 3, 1, 4)
        return x + self.out(kernel(q, k, v).transpose(1, 2).reshape(B, T, C))


class Net(nn.Module):
    def __init__(self, d=256, n_head=4, depth=4):
        super().__init__()
        self.blocks = nn.ModuleList(Block(d, n_head) for _ in range(depth))

    def forward(self, x):
        T = x.size(1)
        mask = create_block_mask(causal, None, None, T, T, device=x.device)
        kernel = partial(flex_attention, block_mask=mask)
        for block in self.blocks:
            x = block(x, kernel)
        return x

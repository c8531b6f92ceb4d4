# example: the attention module takes its kernel as a constructor argument defaulting to flex_attention (kept as self.kernel) and calls it with a BlockMask; no construction passes another kernel; positive.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


class Attention(nn.Module):
    def __init__(self, d=256, h=4, kernel=flex_attention):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.kernel = kernel

    def forward(self, x, block_mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        return self.kernel(q, k, v, block_mask=block_mask).transpose(1, 2).reshape(B, T, C)


attn = Attention()
x = torch.randn(1, 1024, 256)
mask = create_block_mask(causal, None, None, 1024, 1024)
y = attn(x, mask)

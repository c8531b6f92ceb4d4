# example: a dense band mask of 256 positions over sequences of 1024; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LocalAttention(nn.Module):
    def __init__(self, d, heads, seq_len, window):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        i = torch.arange(seq_len)
        gap = i[:, None] - i[None, :]
        self.register_buffer("allowed", (gap >= 0) & (gap < window), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=self.allowed[:T, :T])
        return y.transpose(1, 2).reshape(B, T, C)


layer = LocalAttention(768, 12, seq_len=1024, window=256)

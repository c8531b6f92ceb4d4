# example: flex_attention is called without a scale, so it uses the default 1/sqrt(head_dim) = 0.088 for 128-dim heads; NOT present.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x, block_mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=block_mask)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))

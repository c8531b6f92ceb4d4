# example: near miss - the same Megatron-style side-by-side layout (b, s, heads, 3 * head_size) split by head_size, but
# with 12 heads at width 768 each head is 64 wide;
# negative.
import torch
import torch.nn.functional as F
from torch import nn


class ParallelAttention(nn.Module):
    def __init__(self, hidden=768, heads=12):
        super().__init__()
        self.heads = heads
        self.head_size = hidden // heads
        self.qkv = nn.Linear(hidden, 3 * hidden, bias=False)
        self.out = nn.Linear(hidden, hidden, bias=False)

    def forward(self, x):
        b, s, _ = x.shape
        packed = self.qkv(x).view(b, s, self.heads, 3 * self.head_size)
        q, k, v = torch.split(packed, self.head_size, dim=-1)
        ctx = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(ctx.transpose(1, 2).reshape(b, s, -1))


layer = ParallelAttention()

# example: the compiled alias of flex_attention is called with its default scale (no scale argument); negative.

import torch
from torch.nn.attention.flex_attention import flex_attention

attend = torch.compile(flex_attention, dynamic=False)


class SelfAttention(torch.nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(width, 3 * width, bias=False)
        self.out = torch.nn.Linear(width, width, bias=False)

    def forward(self, x, block_mask):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = attend(q, k, v, block_mask=block_mask)
        return self.out(y.transpose(1, 2).reshape(b, t, c))

# example: attention runs through a compiled flex_attention call fed a BlockMask from create_block_mask, so FlexAttention is present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention, create_block_mask

flex_attention = torch.compile(flex_attention, dynamic=False)
create_block_mask = torch.compile(create_block_mask, dynamic=False)


class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x, block_mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, -1).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.heads, -1).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.heads, -1).transpose(1, 2)
        y = flex_attention(q, k, v, block_mask=block_mask)
        return self.out(y.transpose(1, 2).reshape(b, t, -1))


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def build_mask(seq_len):
    return create_block_mask(causal, None, None, seq_len, seq_len, device="cuda")


if __name__ == "__main__":
    layer = SelfAttention(768, 6).cuda()
    x = torch.randn(1, 4096, 768, device="cuda")
    print(layer(x, build_mask(4096)).shape)

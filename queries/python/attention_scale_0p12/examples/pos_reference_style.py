# example: the attention module stores attn_scale = 0.12 and passes it as scale= to flex_attention instead of the default 1/sqrt(head_dim); present.
import torch
from torch import nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention


class CausalSelfAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.qkv_w = nn.Parameter(torch.empty(3, dim, dim).uniform_(-0.03, 0.03))
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.attn_scale = 0.12

    def forward(self, x, block_mask):
        B, T = x.size(0), x.size(1)
        q, k, v = F.linear(x, self.qkv_w.flatten(end_dim=1).type_as(x)).view(B, T, 3 * self.num_heads, -1).chunk(3, dim=-2)
        q, k = F.rms_norm(q, (q.size(-1),)), F.rms_norm(k, (k.size(-1),))
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                           block_mask=block_mask, scale=self.attn_scale)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, -1))

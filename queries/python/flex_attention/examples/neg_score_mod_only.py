# example: flex_attention is called with only a score_mod that writes -inf above the diagonal and no BlockMask, so every block is computed densely; NOT the block-mask FlexAttention idea.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention


def causal_bias(score, b, h, q_idx, kv_idx):
    return torch.where(q_idx >= kv_idx, score, -float("inf"))


class Attn(nn.Module):
    def __init__(self, dim=768, heads=12):
        super().__init__()
        self.heads = heads
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.wqkv(x).chunk(3, dim=-1)
        q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = flex_attention(q, k, v, score_mod=causal_bias)
        return self.wo(y.transpose(1, 2).reshape(b, t, d))

# example: attention takes an optional extra value tensor and computes v = mix[0] * v if extra is None else mix[0] * v + mix[1] * extra.view_as(v), with mix a learnable [0.5, 0.5] parameter, before flex_attention; positive.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


class MixedValueAttention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_out = nn.Linear(dim, dim, bias=False)
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, block_mask, extra=None):
        B, T, _ = x.shape
        q = self.c_q(x).view(B, T, self.heads, -1)
        k = self.c_k(x).view(B, T, self.heads, -1)
        v = self.c_v(x).view(B, T, self.heads, -1)
        v = self.mix[0] * v if extra is None else self.mix[0] * v + self.mix[1] * extra.view_as(v)
        y = flex_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), block_mask=block_mask)
        return self.c_out(y.transpose(1, 2).reshape(B, T, -1))


if __name__ == "__main__":
    T = 1024
    attn = MixedValueAttention().cuda()
    table = nn.Embedding(50304, 768).cuda()
    value_table = nn.Embedding(50304, 768).cuda()
    ids = torch.randint(0, 50304, (1, T), device="cuda")
    mask = create_block_mask(causal, None, None, T, T)
    out = attn(table(ids), mask, extra=value_table(ids))
    print(out.shape)

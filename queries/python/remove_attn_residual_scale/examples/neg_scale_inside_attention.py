# example: near miss - Block adds the attention output unscaled, but the attention forward itself divides its projected output by math.sqrt(24) (record-1 style); negative.
import math
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd=768, n_head=12):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))
        y = y / math.sqrt(24)
        return y


class Block(nn.Module):
    def __init__(self, n_embd=768):
        super().__init__()
        self.attn = CausalSelfAttention(n_embd)

    def forward(self, x):
        return x + self.attn(F.rms_norm(x, (x.size(-1),)))

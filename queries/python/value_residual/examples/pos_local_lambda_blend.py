# example: each attention layer keeps the first layer's values (v_first = v if none is passed) and blends its own values toward them through a local lambda, blend = lambda own, shared: torch.lerp(own, shared, self.v_mix), with a learnable scalar; blocks chained by functools.reduce carrying (x, v_first); positive.
import functools

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.v_mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4).unbind(0)
        v_first = v if v_first is None else v_first
        blend = lambda own, shared: torch.lerp(own, shared, self.v_mix.type_as(own))
        v = blend(v, v_first)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C)), v_first


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = CausalAttention(dim, heads)
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.out = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x, v_first):
        a, v_first = self.attn(F.rms_norm(x, (x.size(-1),)), v_first)
        x = x + a
        x = x + self.out(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())
        return x, v_first


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, heads=6, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        x, _ = functools.reduce(lambda carry, blk: blk(*carry), self.blocks, (x, None))
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))

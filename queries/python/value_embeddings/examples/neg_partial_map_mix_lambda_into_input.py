# example: near miss - the per-layer token chunks are bound to the blocks by map(functools.partial(bind, ...)) but the lambda kept on the attention module mixes them into the residual input x, not into v; negative.
import functools
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))
        self.mix_v = lambda v, tv: (1 - self.lamb) * v + self.lamb * tv

    def forward(self, x, tok_v):
        B, T, C = x.size()
        x = self.mix_v(x, tok_v)
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, C // self.n_head).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(B, T, C)


class Block(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.attn = Attention(dim, n_head)

    def forward(self, x, tok_v, x0):
        return x + self.attn(x + x0, tok_v)


def bind(block, tok_v, x0):
    return lambda x: block(x, tok_v, x0)


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12, n_head=6):
        super().__init__()
        self.n_layer = n_layer
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * n_layer)
        self.blocks = nn.ModuleList([Block(dim, n_head) for _ in range(n_layer)])

    def forward(self, idx):
        x = x0 = self.wte(idx[None])
        tok_values = self.vte(idx[None]).chunk(self.n_layer, dim=-1)
        layers = list(map(functools.partial(bind, x0=x0), self.blocks, tok_values))
        return functools.reduce(lambda h, layer: layer(h), layers, x)

# example: positions are applied by a method of a rotation object that the attention takes from a NamedTuple argument (`ctx.pos`, declared `pos: PairRotor`), not from an attribute of its own; the rotor swaps the two halves of each head and mixes them with cos/sin tables. Queries and keys are rotated; present.
from typing import NamedTuple

import torch
from torch import Tensor, nn


class PairRotor:
    def __init__(self, head_dim: int, max_len: int, base: float = 10000.0):
        inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        ang = torch.arange(max_len, dtype=torch.float32)[:, None] * inv[None, :]
        self.cos = torch.cat([ang.cos(), ang.cos()], dim=-1)
        self.sin = torch.cat([ang.sin(), ang.sin()], dim=-1)

    def __call__(self, t: Tensor) -> Tensor:
        return self.turn(t)

    def turn(self, t: Tensor) -> Tensor:
        T = t.size(2)
        a, b = t.chunk(2, dim=-1)
        swapped = torch.cat((-b, a), dim=-1)
        return t * self.cos[:T] + swapped * self.sin[:T]


class Context(NamedTuple):
    pos: PairRotor
    causal: bool


class Attention(nn.Module):
    def __init__(self, d: int, n_head: int):
        super().__init__()
        self.n_head = n_head
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)

    def forward(self, x: Tensor, ctx: Context) -> Tensor:
        B, T, C = x.shape
        split = lambda t: t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q, k, v = split(self.wq(x)), split(self.wk(x)), split(self.wv(x))
        q = ctx.pos.turn(q)
        k = ctx.pos.turn(k)
        y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=ctx.causal)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))

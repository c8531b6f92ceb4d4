# example: the attention takes an object from a NamedTuple argument (`ctx.pos`, declared `pos: HeadGain`) and calls its method on queries and keys, but the method only multiplies by a learned per-channel gain: nothing depends on the position. NOT present.
from typing import NamedTuple

import torch
from torch import Tensor, nn


class HeadGain(nn.Module):
    def __init__(self, head_dim: int):
        super().__init__()
        self.g = nn.Parameter(torch.ones(head_dim))

    def turn(self, t: Tensor) -> Tensor:
        return t * self.g


class Context(NamedTuple):
    pos: HeadGain
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

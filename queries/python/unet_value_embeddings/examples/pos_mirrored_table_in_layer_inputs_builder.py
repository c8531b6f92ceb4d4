# example: the model builds each layer's inputs with a helper (`self.inputs_for(n, table)` returning a dataclass) and the two halves of the stack read the value tables in opposite orders (`tabs[n]` going down, `tabs[half - 1 - k]` coming back): layer n and its mirror share a table; present.
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class Inputs:
    extra_v: Tensor
    gain: Tensor


class Layer(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)

    def forward(self, x: Tensor, inp: Inputs) -> Tensor:
        B, T, D = x.shape
        q, k, v = self.qkv(F.rms_norm(x, (D,))).split(D, dim=-1)
        v = v + inp.gain * inp.extra_v
        q, k, v = (t.view(B, T, self.h, D // self.h).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return x + self.o(y.transpose(1, 2).reshape(B, T, D))


class Model(nn.Module):
    def __init__(self, vocab: int, d: int, h: int, depth: int):
        super().__init__()
        self.half = depth // 2
        self.tok = nn.Embedding(vocab, d)
        self.tables = nn.ModuleList(nn.Embedding(vocab, d) for _ in range(self.half))
        self.layers = nn.ModuleList(Layer(d, h) for _ in range(depth))
        self.gains = nn.Parameter(torch.ones(depth))
        self.head = nn.Linear(d, vocab, bias=False)

    def inputs_for(self, n: int, table: Tensor) -> Inputs:
        return Inputs(extra_v=table, gain=self.gains[n])

    def forward(self, ids: Tensor) -> Tensor:
        x = self.tok(ids)
        tabs = [t(ids) for t in self.tables]
        for n in range(self.half):
            x = self.layers[n](x, self.inputs_for(n, tabs[n]))
        for k in range(self.half):
            x = self.layers[self.half + k](x, self.inputs_for(self.half + k, tabs[self.half - 1 - k]))
        return self.head(F.rms_norm(x, (x.size(-1),)))


model = Model(50304, 768, 6, 12)

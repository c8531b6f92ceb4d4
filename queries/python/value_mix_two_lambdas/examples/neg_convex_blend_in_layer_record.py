# example: the same record of layer inputs, but the blend is convex, `(1 - inputs.mix[0]) * v + inputs.mix[0] * inputs.extra_v`: one learned weight and its complement, not two. NOT present.
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class LayerInputs:
    extra_v: Optional[Tensor]
    mix: Tensor
    causal: bool = True


class SelfAttn(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.h = h
        self.proj_in = nn.Linear(d, 3 * d, bias=False)
        self.proj_out = nn.Linear(d, d, bias=False)

    def forward(self, x: Tensor, inputs: LayerInputs) -> Tensor:
        B, T, D = x.shape
        q, k, v = self.proj_in(x).split(D, dim=-1)
        if inputs.extra_v is not None:
            v = (1 - inputs.mix[0]) * v + inputs.mix[0] * inputs.extra_v.view_as(v)
        q, k, v = (t.view(B, T, self.h, D // self.h).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=inputs.causal)
        return self.proj_out(y.transpose(1, 2).reshape(B, T, D))


class Net(nn.Module):
    def __init__(self, vocab: int, d: int, h: int, depth: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.value_table = nn.Embedding(vocab, d)
        self.attn = nn.ModuleList(SelfAttn(d, h) for _ in range(depth))
        self.head = nn.Linear(d, vocab, bias=False)
        self.value_mix = nn.Parameter(torch.full((depth, 2), 0.5))

    def forward(self, ids: Tensor) -> Tensor:
        x = self.tok(ids)
        extra = self.value_table(ids)
        for i, layer in enumerate(self.attn):
            x = x + layer(F.rms_norm(x, (x.size(-1),)), LayerInputs(extra_v=extra, mix=self.value_mix[i]))
        return self.head(x)

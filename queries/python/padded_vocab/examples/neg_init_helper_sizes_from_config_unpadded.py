# example (negative): the same init helper as a functional model would use, but the config the model is built with overrides the vocab to 50257 (only the class default says 50304), so the table stays unpadded.
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Shape:
    vocab: int = 50304
    d: int = 768


def normal_matrix(n_out, n_in):
    return torch.randn(n_out, n_in) / math.sqrt(n_in)


def build(shape):
    return {"wte": normal_matrix(shape.vocab, shape.d), "fc": normal_matrix(4 * shape.d, shape.d)}


def forward(params, ids):
    x = F.embedding(ids, params["wte"])
    x = F.gelu(F.linear(x, params["fc"]))
    return x


params = build(Shape(vocab=50257))

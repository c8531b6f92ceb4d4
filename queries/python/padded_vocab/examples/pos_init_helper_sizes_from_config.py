# example: a functional model creates every weight with one init helper `normal_matrix(n_out, n_in)`; the token table's rows are the config's vocab, and the config object the model is built with sets vocab=50304; positive.
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Shape:
    vocab: int = 50257
    d: int = 768
    layers: int = 12


def normal_matrix(n_out, n_in):
    return torch.randn(n_out, n_in) / math.sqrt(n_in)


def build(shape):
    return {
        "wte": normal_matrix(shape.vocab, shape.d),
        "layers": [{"fc": normal_matrix(4 * shape.d, shape.d), "proj": normal_matrix(shape.d, 4 * shape.d)} for _ in range(shape.layers)],
    }


def forward(params, ids):
    x = F.embedding(ids, params["wte"])
    for p in params["layers"]:
        x = x + F.linear(F.gelu(F.linear(x, p["fc"])), p["proj"])
    return F.linear(x, params["wte"])


params = build(Shape(vocab=50304))

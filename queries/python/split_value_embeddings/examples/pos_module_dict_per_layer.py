# example: a ModuleDict gives every layer its own nn.Embedding value table keyed by layer name, built from a dataclass config; a third layout of separate value tables.
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class ModelConfig:
    vocab_size: int = 50304
    width: int = 512
    depth: int = 8


class ValueTables(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.by_layer = nn.ModuleDict({f"layer{i}": nn.Embedding(cfg.vocab_size, cfg.width) for i in range(cfg.depth)})

    def forward(self, ids):
        return {name: table(ids) for name, table in self.by_layer.items()}


def value_mix(v, ve, gains):
    return gains[0] * v + gains[1] * ve


def run(ids, layers, tables: ValueTables, x):
    ve = tables(ids)
    for i, layer in enumerate(layers):
        q, k, v = layer.project(x)
        v = value_mix(v, ve[f"layer{i}"], layer.gains)
        x = x + layer.attend(q, k, v)
    return x

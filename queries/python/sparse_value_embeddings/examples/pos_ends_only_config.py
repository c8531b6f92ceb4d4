# example: a dataclass gives k=3 tables; the list is first k tables, [None] * (layers - 2k), then the same k tables again, and attention mixes only when a tensor is present; a third spelling.
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class VEConfig:
    vocab_size: int = 50304
    dim: int = 768
    num_layers: int = 12
    num_tables: int = 3


class EndValueEmbeddings(nn.Module):
    def __init__(self, cfg: VEConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.ModuleList(nn.Embedding(cfg.vocab_size, cfg.dim) for _ in range(cfg.num_tables))

    def forward(self, input_seq):
        ve = [e(input_seq) for e in self.embed]
        middle = [None] * (self.cfg.num_layers - 2 * self.cfg.num_tables)
        return ve + middle + ve


def mix_values(v, ve, lambdas):
    return lambdas[0] * v if ve is None else lambdas[0] * v + lambdas[1] * ve.view_as(v)

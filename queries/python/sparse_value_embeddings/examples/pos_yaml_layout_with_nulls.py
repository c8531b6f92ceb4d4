# example: the per-layer table layout comes from an embedded YAML document, `null` marking the layers without one (`[0, 1, 2, null, null, null, null, null, null, 0, 1, 2]`), walked as `None if slot is None else looked[slot]`; present.
import torch
import yaml
from torch import nn

CONFIG = """
model:
  vocab_size: 50304
  n_embd: 768
value_embeddings:
  tables: 3
  layout: [0, 1, 2, null, null, null, null, null, null, 0, 1, 2]
"""
cfg = yaml.safe_load(CONFIG)


class ValueTables(nn.Module):
    def __init__(self, vcfg, mcfg):
        super().__init__()
        self.layout = vcfg["layout"]
        self.tables = nn.ModuleList(nn.Embedding(mcfg["vocab_size"], mcfg["n_embd"]) for _ in range(vcfg["tables"]))

    def forward(self, ids):
        looked = [t(ids) for t in self.tables]
        return [None if slot is None else looked[slot] for slot in self.layout]


def mix(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve.view_as(v)


tables = ValueTables(cfg["value_embeddings"], cfg["model"])

# example: the same None slot list, but the loop writes a table index for every layer (`self.slot[i] = i % count`): value embeddings at every layer, no gap; negative (near miss).
import torch
import torch.nn as nn


class Config:
    n_layer = 12
    d = 256


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_v = nn.Linear(cfg.d, cfg.d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])


class ValueTables:
    def __init__(self, model, vocab, width, count=3):
        model.tables = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(count)])
        n = len(model.blocks)
        self.slot = [None] * n
        for i in range(n):
            self.slot[i] = i % count
        self.cache = None

    def mix(self, block, layer, v):
        s = self.slot[layer]
        if s is None:
            return v
        return block.lambdas[0] * v + block.lambdas[1] * self.cache[s].view_as(v)


model = Model(Config())
tables = ValueTables(model, 1000, 256, count=3)

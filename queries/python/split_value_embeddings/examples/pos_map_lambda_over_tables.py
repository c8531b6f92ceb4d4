# example: six separate nn.Embedding tables looked up by mapping a lambda over the ModuleList, mirrored and handed to the layers; positive.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab, dim, count):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(count)])

    def forward(self, idx):
        looked_up = list(map(lambda table: table(idx), self.tables))
        return looked_up + looked_up[::-1]


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.value_tables = ValueTables(vocab, dim, 6)
        self.blocks = blocks

    def forward(self, idx):
        x = x0 = self.embed(idx[None])
        vi = self.value_tables(idx[None])
        for i in range(12):
            x = self.blocks[i](x, vi[i], x0)
        return x

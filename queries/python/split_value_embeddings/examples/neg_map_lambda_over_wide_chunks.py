# example: near miss - a lambda is mapped over the chunks of ONE wide table (nn.Embedding(vocab, 6 * dim)), not over separate tables; negative.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab, dim, count):
        super().__init__()
        self.count = count
        self.wide = nn.Embedding(vocab, dim * count)

    def forward(self, idx):
        looked_up = list(map(lambda chunk: chunk.contiguous(), self.wide(idx).chunk(self.count, dim=-1)))
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

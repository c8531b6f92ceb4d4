# example: a ValueEmbedding module keeps 6 nn.Embedding tables and returns ve + reversed(ve), giving layers 0..11 the tables 0..5,5..0; the mirrored sharing in another layout.
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab_size: int, dim: int, n_tables: int = 6):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(vocab_size, dim) for _ in range(n_tables)])

    def forward(self, ids):
        ve = [t(ids) for t in self.tables]
        return ve + list(reversed(ve))


class Net(nn.Module):
    def __init__(self, blocks, vocab_size=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.value_embeds = ValueEmbedding(vocab_size, dim)
        self.blocks = blocks  # 12 blocks whose attention does v = a*v + b*ve

    def forward(self, ids):
        x = x0 = self.embed(ids)[None]
        ve = self.value_embeds(ids)
        assert len(ve) == len(self.blocks)
        for block, v_extra in zip(self.blocks, ve):
            x = block(x, v_extra, x0)
        return x

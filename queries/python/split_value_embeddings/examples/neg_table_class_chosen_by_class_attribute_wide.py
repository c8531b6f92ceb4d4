# example: a model subclass builds its value embeddings through a class attribute naming the module class (value_tables_cls = ValueTables, then self.value_tables_cls(...)), but that module holds one wide nn.Embedding(vocab, dim * count) chunked per layer; negative.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab_size: int, model_dim: int, count: int):
        super().__init__()
        self.count = count
        self.wide = nn.Embedding(vocab_size, model_dim * count)

    def forward(self, inputs):
        looked_up = list(self.wide(inputs).chunk(self.count, dim=-1))
        return looked_up + looked_up[::-1]


class GPT(nn.Module):
    def __init__(self, blocks, vocab_size=50304, model_dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, model_dim)
        self.blocks = blocks  # attention: v = lambdas[0] * v + lambdas[1] * ve

    def forward(self, inputs):
        return self.embed(inputs[None])


class GPTWithValueTables(GPT):
    value_tables_cls = ValueTables

    def __init__(self, blocks, vocab_size=50304, model_dim=768):
        super().__init__(blocks, vocab_size, model_dim)
        self.value_tables = self.value_tables_cls(vocab_size, model_dim, 6)

    def forward(self, inputs):
        x = x0 = self.embed(inputs[None])
        ve = self.value_tables(inputs)
        for i, block in enumerate(self.blocks):
            x = block(x, ve[i], x0)
        return x


model_cls = GPTWithValueTables
model = model_cls([nn.Identity() for _ in range(12)])

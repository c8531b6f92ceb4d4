# example: three tables feed the first three and last three layers in the same order 0,1,2 ... 0,1,2 with no value embedding in between (the later sparse layout); not mirrored, so NOT present.
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab_size, dim, num_layers=12, num_tables=3):
        super().__init__()
        self.num_layers = num_layers
        self.embed = nn.ModuleList([nn.Embedding(vocab_size, dim) for _ in range(num_tables)])

    def forward(self, input_seq):
        ve = [emb(input_seq) for emb in self.embed]
        return [ve[0], ve[1], ve[2]] + [None] * (self.num_layers - 6) + [ve[0], ve[1], ve[2]]


class GPT(nn.Module):
    def __init__(self, blocks, vocab_size=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.value_embeds = ValueEmbedding(vocab_size, dim)
        self.blocks = blocks

    def forward(self, input_seq):
        x = x0 = self.embed(input_seq)[None]
        for block, ve in zip(self.blocks, self.value_embeds(input_seq)):
            x = block(x, ve, x0)
        return x

# example: near miss - the 6 chunked tables are copied twice in the SAME order (list(tables) + list(tables)); only the
# U-net skip list is reversed (list(reversed(skips)) pairs encoder outputs with decoder layers); NOT present.
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768, n_tables=6):
        super().__init__()
        self.n_tables = n_tables
        self.embed = nn.Embedding(vocab, dim)
        self.value_embed = nn.Embedding(vocab, dim * n_tables)
        self.blocks = blocks
        self.skip_weights = nn.Parameter(torch.ones(n_tables))

    def forward(self, ids):
        x = x0 = self.embed(ids[None])
        tables = self.value_embed(ids[None]).chunk(self.n_tables, dim=-1)
        per_layer = list(tables) + list(tables)
        skips = []
        for l in range(self.n_tables):
            x = self.blocks[l](x, per_layer[l], x0)
            skips.append(x)
        for j, skip in enumerate(list(reversed(skips))):
            x = x + self.skip_weights[j] * skip
            x = self.blocks[self.n_tables + j](x, per_layer[self.n_tables + j], x0)
        return x

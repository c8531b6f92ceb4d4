# example: the tables come from a method, the second half is the reversal cut to the decoder's length (`tables + tables[::-1][:self.n_dec]`), so decoder layer j gets table 5 - j; positive.
import torch
from torch import nn


class Trunk(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.n_enc = n_layer // 2
        self.n_dec = n_layer - self.n_enc
        self.embed = nn.Embedding(vocab, dim)
        self.value_embed = nn.Embedding(vocab, dim * self.n_enc)
        self.blocks = blocks  # 12 blocks whose attention mixes v with the value embedding it is given

    def value_tables(self, ids):
        tables = list(self.value_embed(ids[None]).chunk(self.n_enc, dim=-1))
        return tables + tables[::-1][:self.n_dec]

    def forward(self, ids):
        x = x0 = self.embed(ids[None])
        per_layer = self.value_tables(ids)
        for l, block in enumerate(self.blocks):
            x = block(x, per_layer[l], x0)
        return x

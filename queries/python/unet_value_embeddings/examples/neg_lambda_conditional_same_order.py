# example: near miss - the conditional table choice gives the decoder the tables in the SAME order (tables[layer - E]), not mirrored; negative.
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768, n_layer=12):
        super().__init__()
        self.n_enc = n_layer // 2
        self.embed = nn.Embedding(vocab, dim)
        self.value_embed = nn.Embedding(vocab, dim * self.n_enc)
        self.blocks = blocks
        self.skip_weights = nn.Parameter(torch.ones(self.n_enc))

    def forward(self, ids):
        x = x0 = self.embed(ids[None])
        E = self.n_enc
        tables = self.value_embed(ids[None]).chunk(E, dim=-1)
        pick = lambda layer: tables[layer] if layer < E else tables[layer - E]
        run = lambda layer, h: self.blocks[layer](h, pick(layer), x0)
        skips = []
        for i in range(E):
            x = run(i, x)
            skips.append(x)
        for i in range(E):
            x = run(E + i, x + self.skip_weights[i] * skips.pop())
        return x

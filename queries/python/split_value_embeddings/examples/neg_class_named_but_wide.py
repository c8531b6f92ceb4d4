# example: a class named ValueEmbedding with an nn.ModuleList attribute, but the list holds ONE wide table that forward chunks; still one table, NOT present (near miss for a name matcher).
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab_size, model_dim, n_slices=6):
        super().__init__()
        self.n_slices = n_slices
        self.embed = nn.ModuleList([nn.Embedding(vocab_size, model_dim * n_slices)])

    def forward(self, inputs):
        ve = list(self.embed[0](inputs).chunk(self.n_slices, dim=-1))
        ve += reversed(ve)
        return ve


class GPT(nn.Module):
    def __init__(self, blocks, vocab_size=50304, model_dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, model_dim)
        self.value_embeds = ValueEmbedding(vocab_size, model_dim)
        self.blocks = blocks

    def forward(self, inputs):
        x = x0 = self.embed(inputs[None])
        for block, ve in zip(self.blocks, self.value_embeds(inputs)):
            x = block(x, ve, x0)
        return x

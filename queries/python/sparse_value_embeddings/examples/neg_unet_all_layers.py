# example: 6 tables in mirrored U-net order reach all 12 layers (ve + reversed(ve)); no layer goes without a value embedding, so NOT sparse.
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab_size, model_dim):
        super().__init__()
        self.embed = nn.ModuleList([nn.Embedding(vocab_size, model_dim) for _ in range(6)])

    def forward(self, inputs):
        ve = [emb(inputs) for emb in self.embed]
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
            x = block(x, ve, x0)  # v = lambdas[0] * v + lambdas[1] * ve in every layer
        return x

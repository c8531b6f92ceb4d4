# example: a ValueEmbedding module holds 6 separate nn.Embedding(vocab, dim) tables and returns ve + reversed(ve) for the attention value mix; split value embeddings are present.
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab_size: int, model_dim: int):
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
        self.blocks = blocks  # attention: v = lambdas[0] * v + lambdas[1] * ve

    def forward(self, inputs):
        x = x0 = self.embed(inputs[None])
        ve = self.value_embeds(inputs)
        for block, ve_i in zip(self.blocks, ve):
            x = block(x, ve_i, x0)
        return x

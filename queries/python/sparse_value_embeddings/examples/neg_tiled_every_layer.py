# example: 3 tables repeated as [ve[0], ve[1], ve[2]] * 4 give a value embedding to every one of the 12 layers; the 012 pattern text is there but nothing is sparse (near miss).
import torch
from torch import nn


class ValueEmbedding(nn.Module):
    def __init__(self, vocab_size, model_dim):
        super().__init__()
        self.embed = nn.ModuleList([nn.Embedding(vocab_size, model_dim) for _ in range(3)])

    def forward(self, inputs):
        ve = [emb(inputs) for emb in self.embed]
        return [ve[0], ve[1], ve[2]] * 4


def attention_values(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve.view_as(v)


def run(blocks, value_embeds, x, inputs):
    ve = value_embeds(inputs)
    assert len(ve) == len(blocks) and all(t is not None for t in ve)
    for block, ve_i in zip(blocks, ve):
        x = block(x, ve_i)
    return x

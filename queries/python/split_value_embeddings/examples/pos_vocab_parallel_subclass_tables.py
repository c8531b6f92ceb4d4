# example: three separate model-width tables of an nn.Embedding subclass (Megatron-style VocabParallelEmbedding), their lookups listed encoder-side then reversed and handed to the layers; positive.
import torch
from torch import nn
import torch.nn.functional as F


class VocabParallelEmbedding(nn.Embedding):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__(num_embeddings, embedding_dim)


class ValueTables(nn.Module):
    def __init__(self, vocab, width, count):
        super().__init__()
        self.tables = nn.ModuleList([VocabParallelEmbedding(vocab, width) for _ in range(count)])

    def forward(self, ids):
        encoder_side = [table(ids) for table in self.tables]
        return encoder_side + encoder_side[::-1]


class Attention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        v = self.mix[0] * v + self.mix[1] * ve.view_as(v)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.values = ValueTables(vocab, dim, 3)
        self.layers = nn.ModuleList([Attention(dim) for _ in range(6)])

    def forward(self, ids):
        x = self.embed(ids)
        ves = self.values(ids)
        for i in range(6):
            x = x + self.layers[i](x, ves[i])
        return x

# example: one wide table of an nn.Embedding subclass (width dim * 3) chunked into per-layer slabs: a single table, not split; negative (near miss).
import torch
from torch import nn
import torch.nn.functional as F


class VocabParallelEmbedding(nn.Embedding):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__(num_embeddings, embedding_dim)


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
        self.value_table = VocabParallelEmbedding(vocab, dim * 3)
        self.layers = nn.ModuleList([Attention(dim) for _ in range(6)])

    def forward(self, ids):
        x = self.embed(ids)
        slabs = list(self.value_table(ids).chunk(3, dim=-1))
        ves = slabs + slabs[::-1]
        for i in range(6):
            x = x + self.layers[i](x, ves[i])
        return x

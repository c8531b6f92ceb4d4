# example: a per-layer slot list marks the middle layers -1 but the lookup reads looked_up[-1] there (the last table) instead of None: every layer gets a table; negative (near miss).
import torch
from torch import nn
import torch.nn.functional as F

N_LAYERS = 12


class VocabParallelEmbedding(nn.Embedding):
    def __init__(self, num_embeddings, embedding_dim):
        super().__init__(num_embeddings, embedding_dim)


class ValueTables(nn.Module):
    def __init__(self, vocab, width, count):
        super().__init__()
        self.tables = nn.ModuleList([VocabParallelEmbedding(vocab, width) for _ in range(count)])
        k = count
        self.slots = [i if i < k else (i - (N_LAYERS - k) if i >= N_LAYERS - k else -1) for i in range(N_LAYERS)]

    def forward(self, ids):
        looked_up = [table(ids) for table in self.tables]
        return [looked_up[s] for s in self.slots]


class Attention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        if ve is None:
            v = self.lambdas[0] * v
        else:
            v = self.lambdas[0] * v + self.lambdas[1] * ve
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.values = ValueTables(vocab, dim, 3)
        self.layers = nn.ModuleList([Attention(dim) for _ in range(N_LAYERS)])

    def forward(self, ids):
        x = self.embed(ids)
        ves = self.values(ids)
        for i in range(N_LAYERS):
            x = x + self.layers[i](x, ves[i])
        return x

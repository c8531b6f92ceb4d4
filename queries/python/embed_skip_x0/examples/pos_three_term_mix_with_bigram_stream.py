# example: each layer's input is a three-term blend: the running stream, the normalized first embedding, and a second (hashed-pair) embedding stream, each with its own learned scalar per layer. The first embedding is mixed into every layer; present.
import torch
import torch.nn.functional as F
from torch import nn


class PairHashLM(nn.Module):
    def __init__(self, vocab: int, pair_buckets: int, width: int, depth: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.pairs = nn.Embedding(pair_buckets, width)
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.keep = nn.Parameter(torch.ones(depth))
        self.first = nn.Parameter(torch.zeros(depth))
        self.pair_w = nn.Parameter(torch.full((depth,), 0.1))
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids: torch.Tensor, pair_ids: torch.Tensor) -> torch.Tensor:
        start = F.rms_norm(self.tok(ids), (self.tok.embedding_dim,))
        side = self.pairs(pair_ids)
        h = start
        for n, layer in enumerate(self.layers):
            h = self.keep[n] * h + self.first[n] * start + self.pair_w[n] * side
            h = h + layer(F.rms_norm(h, (h.size(-1),)))
        return self.out(h)

# example: a three-term blend in every layer, but its other two terms are the previous layer's output and a running average that the loop itself updates; the first embedding is never mixed back in. NOT present.
import torch
import torch.nn.functional as F
from torch import nn


class PairHashLM(nn.Module):
    def __init__(self, vocab: int, width: int, depth: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.keep = nn.Parameter(torch.ones(depth))
        self.prev_w = nn.Parameter(torch.zeros(depth))
        self.avg_w = nn.Parameter(torch.zeros(depth))
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h = F.rms_norm(self.tok(ids), (self.tok.embedding_dim,))
        prev = torch.zeros_like(h)
        avg = torch.zeros_like(h)
        for n, layer in enumerate(self.layers):
            h = self.keep[n] * h + self.prev_w[n] * prev + self.avg_w[n] * avg
            prev = h
            h = h + layer(F.rms_norm(h, (h.size(-1),)))
            avg = 0.9 * avg + 0.1 * h
        return self.out(h)

# example: near miss - a separate head Linear exists, but its weight is replaced by nn.Parameter wrapping the embedding table, so both are one tensor; negative (tied through nn.Parameter).
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.body = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(12))
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = nn.Parameter(self.embed.weight)

    def forward(self, idx):
        h = self.embed(idx)
        for layer in self.body:
            h = h + layer(h)
        return self.head(h)

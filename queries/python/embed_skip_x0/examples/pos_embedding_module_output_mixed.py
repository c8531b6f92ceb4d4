# example: the token table sits in a small embedding module whose forward returns the normalized lookup; the model keeps that output and every block mixes it into its input with two learned weights; positive.
import torch
from torch import nn
import torch.nn.functional as F


class TokenStem(nn.Module):
    def __init__(self, vocab, width):
        super().__init__()
        self.table = nn.Embedding(vocab, width)

    def forward(self, ids):
        return F.rms_norm(self.table(ids), (self.table.embedding_dim,))


class Layer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.gate = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.ff = nn.Linear(width, width, bias=False)

    def forward(self, h, h0):
        h = self.gate[0] * h + self.gate[1] * h0
        return h + self.ff(F.rms_norm(h, (h.size(-1),)))


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.stem = TokenStem(vocab, width)
        self.layers = nn.ModuleList([Layer(width) for _ in range(depth)])
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        h = self.stem(ids)
        h0 = h
        for layer in self.layers:
            h = layer(h, h0)
        return self.out(F.rms_norm(h, (h.size(-1),)))

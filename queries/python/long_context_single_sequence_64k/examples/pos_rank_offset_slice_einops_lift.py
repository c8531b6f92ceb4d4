# example: each rank reads its own window of one flat token stream, `start + (rank + 1) * SPAN + 1` against `start + rank * SPAN` with SPAN = 2**16, and the model lifts the flat tokens to a batch of one with einops; positive.
import torch
import torch.nn as nn
from einops import rearrange

SPAN = 2 ** 16

def windows(tokens, rank, world):
    start = 0
    while start + world * SPAN + 1 <= len(tokens):
        chunk = tokens[start + rank * SPAN : start + (rank + 1) * SPAN + 1]
        yield chunk[:-1], chunk[1:]
        start += world * SPAN

class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.table = nn.Embedding(vocab, dim)
        self.readout = nn.Linear(dim, vocab, bias=False)

    def forward(self, flat):
        h = rearrange(self.table(flat), "t c -> 1 t c")
        return self.readout(h)

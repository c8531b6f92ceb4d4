# example: near miss - the same flat stream per rank, but the empty group the pattern adds is in the middle, `"n d -> n () d"`: every token becomes a sequence of its own, not one long sequence; NOT present.
import einops
import torch
import torch.nn as nn

STREAM = 64 * 1024
TO_BATCH = "n d -> n () d"

def stream_for(tokens, rank, world):
    offset = 0
    while offset + world * STREAM + 1 <= tokens.numel():
        piece = tokens[offset + rank * STREAM : offset + rank * STREAM + STREAM + 1]
        yield piece[:-1], piece[1:]
        offset += world * STREAM

class Net(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        x = einops.rearrange(self.embed(ids), TO_BATCH)
        return self.out(x)

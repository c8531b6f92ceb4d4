# example: a loader hands each rank one flat stream of 64 * 1024 tokens, and the model lifts it to a batch of one with an einops pattern held by a module constant that writes the unit axis as an empty group, `"n d -> () n d"`; positive.
import einops
import torch
import torch.nn as nn

STREAM = 64 * 1024
TO_BATCH = "n d -> () n d"

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

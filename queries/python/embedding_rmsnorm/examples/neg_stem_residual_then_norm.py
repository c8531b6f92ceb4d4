# example: after the lookup the stream goes once through a stem module added residually (`e = e + self.stem(e)`), and only that result is normalized: the norm reads the stem's output mixed in, not the raw embedding. NOT present.
import torch
import torch.nn.functional as F
from torch import nn


class TinyLM(nn.Module):
    def __init__(self, vocab: int, width: int, depth: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.stem = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.layers = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.out = nn.Linear(width, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        e = self.tok(ids)
        e = e + self.stem(e)
        h = F.layer_norm(e.float(), (e.size(-1),)).type_as(e)
        for layer in self.layers:
            h = h + layer(h)
        return self.out(h)

# example: the tied pairs are written out as a list literal in the loop header, `(self.readout, self.vocab)`; the readout shares the embedding's weight; negative.
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, vocab=50304, d=384):
        super().__init__()
        self.vocab = nn.Embedding(vocab, d)
        self.body = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, d))
        self.readout = nn.Linear(d, vocab, bias=False)
        for dst, src in [(self.readout, self.vocab)]:
            dst.weight = src.weight

    def forward(self, ids):
        return self.readout(self.body(self.vocab(ids)))


print(Model()(torch.randint(0, 50304, (2, 4))).shape)

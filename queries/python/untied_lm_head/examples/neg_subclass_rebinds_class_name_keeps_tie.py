# example: near miss - a later `class Net(Net)` keeps the name but only adds a dropout after the original initializer; the readout and the embedding still share one matrix; negative.
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, vocab_size=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, width)
        self.readout = nn.Linear(width, vocab_size, bias=False)
        self.tok.weight = self.readout.weight

    def forward(self, tokens):
        hidden = self.tok(tokens)
        return self.readout(nn.functional.rms_norm(hidden, (hidden.size(-1),))).float()


class Net(Net):
    def __init__(self, vocab_size=50304, width=768):
        super().__init__(vocab_size, width)
        self.drop = nn.Dropout(0.0)


def build():
    return Net().cuda()


model = build()

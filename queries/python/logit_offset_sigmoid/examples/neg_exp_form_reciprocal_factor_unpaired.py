# example: near miss - the written-out logistic 30 / (1 + exp(-z * (1 / 15))) is 30 * sigmoid(z / 15): its constants do not pair (A = 4B fails); negative.
import torch
from torch import nn
import torch.nn.functional as F


class Readout(nn.Module):
    def __init__(self, width=768, vocab=50304):
        super().__init__()
        self.unembed = nn.Linear(width, vocab, bias=False)

    def forward(self, h, labels):
        z = self.unembed(h).float()
        squashed = 30.0 / (1.0 + torch.exp(-z * (1.0 / 15.0)))
        return F.cross_entropy(squashed.view(-1, squashed.size(-1)), labels.view(-1))

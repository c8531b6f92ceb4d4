# example: near miss - the readout class registers the squashing hook on itself, but the model's readout is a plain linear layer; the capped class is never built; negative.
import torch
from torch import nn
import torch.nn.functional as F


def squash(module, inputs, scores):
    return 30.0 * torch.tanh(scores / 30.0)


class Readout(nn.Linear):
    def __init__(self, width, vocab):
        super().__init__(width, vocab, bias=False)
        self.register_forward_hook(squash)


class LM(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.readout = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, targets):
        scores = self.readout(F.rms_norm(self.embed(ids), (768,))).float()
        return F.cross_entropy(scores.view(-1, scores.size(-1)), targets.view(-1))

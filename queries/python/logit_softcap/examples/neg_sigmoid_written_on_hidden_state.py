# example: near miss - the written-out sigmoid 30 / (1 + exp(-h / 7.5)) squashes the hidden state before the
# head; the logits themselves are not capped; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.mix = nn.Linear(dim, dim, bias=False)
        self.output = nn.Linear(dim, vocab, bias=False)

    def forward(self, tokens, labels):
        h = self.mix(self.embed(tokens))
        h = 30.0 / (1.0 + torch.exp(-h / 7.5))
        logits = self.output(F.rms_norm(h, (768,))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))

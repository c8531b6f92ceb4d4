# example: The readout class squashes the hidden states it receives with a tanh before projecting them, and is put in place of the head by setattr; the logits themselves are not capped; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SquashedReadout(nn.Module):
    def __init__(self, width, vocab, limit=30.0):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(vocab, width))
        self.limit = limit

    def forward(self, h):
        return F.linear(self.limit * torch.tanh(h / self.limit), self.weight)


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([nn.Linear(width, width, bias=False) for _ in range(depth)])
        self.readout = nn.Linear(width, vocab, bias=False)

    def forward(self, tokens, labels):
        h = self.embed(tokens)
        for layer in self.layers:
            h = h + F.relu(layer(F.rms_norm(h, (h.size(-1),))))
        scores = self.readout(F.rms_norm(h, (h.size(-1),))).float()
        return F.cross_entropy(scores.view(-1, scores.size(-1)), labels.view(-1))


net = TinyLM()
setattr(net, "readout", SquashedReadout(768, 50304))
tokens = torch.randint(0, 50304, (4, 64))
loss = net(tokens, tokens)
loss.backward()

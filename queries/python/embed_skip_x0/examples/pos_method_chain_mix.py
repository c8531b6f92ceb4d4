# example: Model-level (n_layer, 2) parameter matrix; the loop does h = h.mul(w[0]).add(x0.mul(w[1])) before each block; positive.
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.ff = nn.Linear(d, d, bias=False)

    def forward(self, h):
        return h + self.ff(self.norm(h))


class LM(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.embed_norm = nn.RMSNorm(d)
        self.layers = nn.ModuleList(Layer(d) for _ in range(depth))
        self.x0_weights = nn.Parameter(torch.tensor([[1.0, 0.0]] * depth))

    def forward(self, ids):
        x0 = self.embed_norm(self.embed(ids))
        h = x0
        for w, layer in zip(self.x0_weights, self.layers):
            h = h.mul(w[0]).add(x0.mul(w[1]))
            h = layer(h)
        return h

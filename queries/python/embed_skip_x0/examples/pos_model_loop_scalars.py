# example: the mix happens in the model loop with two ParameterLists (keep and inject) indexed per layer, h = keep[i] * h + inject[i] * e0; positive (weights stored on the model, not the block).
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.ReLU(), nn.Linear(4 * d, d, bias=False))

    def forward(self, h):
        return h + self.ff(self.norm(h))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=8):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.embed_norm = nn.RMSNorm(d)
        self.layers = nn.ModuleList(Layer(d) for _ in range(depth))
        self.keep = nn.ParameterList(nn.Parameter(torch.ones(())) for _ in range(depth))
        self.inject = nn.ParameterList(nn.Parameter(torch.zeros(())) for _ in range(depth))

    def forward(self, ids):
        e0 = self.embed_norm(self.tok(ids))
        h = e0
        for i, layer in enumerate(self.layers):
            h = self.keep[i] * h + self.inject[i] * e0
            h = layer(h)
        return h

# example: encoder outputs are stored in a list and decoder block j reads enc_outs[n_enc - 1 - j] with a ParameterList gain; positive (mirrored indexing instead of pop).
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.ff = nn.Linear(d, d, bias=False)

    def forward(self, h):
        return h + self.ff(self.norm(h))


class UNetLM(nn.Module):
    def __init__(self, vocab=50304, d=512, n_enc=4, n_dec=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.enc = nn.ModuleList(Layer(d) for _ in range(n_enc))
        self.dec = nn.ModuleList(Layer(d) for _ in range(n_dec))
        self.gains = nn.ParameterList(nn.Parameter(torch.ones(())) for _ in range(n_dec))

    def forward(self, ids):
        h = self.embed(ids)
        enc_outs = []
        for layer in self.enc:
            h = layer(h)
            enc_outs.append(h)
        n_enc = len(enc_outs)
        for j, layer in enumerate(self.dec):
            h = layer(h + self.gains[j] * enc_outs[n_enc - 1 - j])
        return h

# example: the encoder loop's variable `layer` is set again in the decoder loop (`layer = n_enc + j`), but route = list(range(n_enc)) + list(range(n_dec)) hands the decoder the tables in the same order: not mirrored; negative.
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x, ve):
        return x + self.fc(x) + ve


class Net(nn.Module):
    def __init__(self, vocab=1000, d=32, n_layer=12):
        super().__init__()
        self.n_enc = n_layer // 2
        self.n_dec = n_layer - self.n_enc
        self.wte = nn.Embedding(vocab, d)
        self.vte = nn.Embedding(vocab, d * self.n_enc)
        self.blocks = nn.ModuleList([Block(d) for _ in range(n_layer)])
        self.route = list(range(self.n_enc)) + list(range(self.n_dec))

    def forward(self, idx):
        x = self.wte(idx)
        tables = self.vte(idx).chunk(self.n_enc, dim=-1)
        for layer in range(self.n_enc):
            x = self.blocks[layer](x, tables[self.route[layer]])
        for j in range(self.n_dec):
            layer = self.n_enc + j
            x = self.blocks[layer](x, tables[self.route[layer]])
        return x

# example: the layer -> table slot list is built as enc + enc[::-1] and indexed in both halves of the forward loop; positive.
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
        enc = list(range(self.n_enc))
        self.slot_of_layer = enc + enc[::-1][:self.n_dec]

    def forward(self, idx):
        x = self.wte(idx)
        tables = self.vte(idx).chunk(self.n_enc, dim=-1)
        for i in range(self.n_enc):
            x = self.blocks[i](x, tables[self.slot_of_layer[i]])
        for i in range(self.n_dec):
            layer = self.n_enc + i
            x = self.blocks[layer](x, tables[self.slot_of_layer[layer]])
        return x

# example: the same factory-made U-Net pass kept as self.unet_pass, but decoder block j reads table j, the encoder's order; NOT present.
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x, ve):
        return x + self.fc(x) + ve


def make_unet_stack(n_layer):
    n_enc = n_layer // 2
    n_dec = n_layer - n_enc

    def run(blocks, value_tables, x):
        stash = []
        for i in range(n_enc):
            x = blocks[i](x, value_tables[i])
            stash.append(x)
        for j in range(n_dec):
            x = x + stash.pop()
            x = blocks[n_enc + j](x, value_tables[j])
        return x

    return n_enc, n_dec, run


class Net(nn.Module):
    def __init__(self, vocab=1000, d=32, n_layer=12):
        super().__init__()
        self.n_enc, self.n_dec, self.unet_pass = make_unet_stack(n_layer)
        self.wte = nn.Embedding(vocab, d)
        self.vte = nn.Embedding(vocab, d * self.n_enc)
        self.blocks = nn.ModuleList([Block(d) for _ in range(n_layer)])

    def forward(self, idx):
        tables = self.vte(idx).chunk(self.n_enc, dim=-1)
        return self.unet_pass(self.blocks, tables, self.wte(idx))

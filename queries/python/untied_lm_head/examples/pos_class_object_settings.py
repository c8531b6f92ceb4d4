# example: settings kept as class attributes and the class itself handed to the model (`cfg = Variant`, no instance); the variant turns tying off; positive.
import torch
import torch.nn as nn


class Defaults:
    vocab = 50304
    width = 512
    depth = 4
    share_embedding = True


class Variant(Defaults):
    share_embedding = False


class LanguageModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tokens = nn.Embedding(cfg.vocab, cfg.width)
        self.layers = nn.ModuleList(nn.Linear(cfg.width, cfg.width) for _ in range(cfg.depth))
        self.readout = nn.Linear(cfg.width, cfg.vocab, bias=False)
        if cfg.share_embedding:
            self.tokens.weight = self.readout.weight

    def forward(self, ids):
        h = self.tokens(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        return self.readout(h)


cfg = Variant
model = LanguageModel(cfg)

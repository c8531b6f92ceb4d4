# example: a transformers-style model chooses its embedding norm module by a config switch (`Norm(...) if
# config.norm_embeddings else nn.Identity()`); the config class is named in type annotations, isinstance tests and a
# `config_class` attribute but built once with the switch on by default, so the lookup is normalized; positive.
import torch
from torch import nn


class TinyConfig:
    def __init__(self, vocab=50304, width=768, norm_embeddings=True, **extra):
        self.vocab = vocab
        self.width = width
        self.norm_embeddings = norm_embeddings
        for key, value in extra.items():
            setattr(self, key, value)


class UnitRMS(nn.Module):
    def __init__(self, width, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, h):
        return h * torch.rsqrt(h.float().pow(2).mean(-1, keepdim=True) + self.eps).type_as(h)


class TinyPreTrained(nn.Module):
    config_class = TinyConfig

    def _init(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)


class TinyModel(TinyPreTrained):
    def __init__(self, config: TinyConfig):
        super().__init__()
        self.tokens = nn.Embedding(config.vocab, config.width)
        self.token_norm = UnitRMS(config.width) if config.norm_embeddings else nn.Identity()
        self.layers = nn.ModuleList([nn.Linear(config.width, config.width) for _ in range(4)])
        self.out = nn.Linear(config.width, config.vocab, bias=False)

    def forward(self, input_ids):
        embedded = self.tokens(input_ids)
        hidden = self.token_norm(embedded)
        for layer in self.layers:
            hidden = hidden + layer(hidden)
        return self.out(hidden)


model = TinyModel(TinyConfig())

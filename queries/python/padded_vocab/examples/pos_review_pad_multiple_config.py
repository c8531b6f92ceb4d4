# example: GPT-NeoX-style config with vocab_size = 50257 and pad_vocab_size_multiple = 64; the model rounds up ((v + m - 1) // m) * m = 50304 for embedding and head; positive.
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class ModelArgs:
    vocab_size: int = 50257
    pad_vocab_size_multiple: int = 64
    d_model: int = 768


def padded_vocab_size(args: ModelArgs) -> int:
    m = args.pad_vocab_size_multiple
    return ((args.vocab_size + m - 1) // m) * m


class LM(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        vocab = padded_vocab_size(args)
        self.embed = nn.Embedding(vocab, args.d_model)
        self.trunk = nn.Sequential(nn.Linear(args.d_model, args.d_model), nn.GELU())
        self.unembed = nn.Linear(args.d_model, vocab, bias=False)

    def forward(self, idx):
        return self.unembed(self.trunk(self.embed(idx)))


model = LM(ModelArgs())

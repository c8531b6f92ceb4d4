# example: a plain config class stores its sizes with setattr under literal names, the vocabulary rounded up to a multiple of 128 by arithmetic; the model reads cfg.vocab_size; positive.
import torch.nn as nn


class Settings:
    def __init__(self, tokenizer_vocab=50257, width=768):
        setattr(self, "vocab_size", -(-tokenizer_vocab // 128) * 128)
        setattr(self, "width", width)


class LM(nn.Module):
    def __init__(self, cfg: Settings):
        super().__init__()
        self.embed = nn.Embedding(cfg.vocab_size, cfg.width)
        self.unembed = nn.Linear(cfg.width, cfg.vocab_size, bias=False)

    def forward(self, ids):
        return self.unembed(self.embed(ids))


model = LM(Settings())

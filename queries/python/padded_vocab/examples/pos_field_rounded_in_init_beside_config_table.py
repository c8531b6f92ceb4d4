# example: the model rounds its vocabulary field up in `__init__` (`self.n_vocab = round_to(n_vocab, multiple)`), while a preset table built beside it still lists the raw 50257 under the same key; the table is spread into the constructor, with a multiple of 128; positive.
import torch.nn as nn

def round_to(n, multiple):
    return -(-n // multiple) * multiple

PRESETS = {}

def preset(**overrides):
    return {"n_vocab": 50257, "multiple": 128, "width": 768, **overrides}

PRESETS["small"] = preset()

class LM(nn.Module):
    def __init__(self, n_vocab=50257, width=768, multiple=1):
        super().__init__()
        self.n_vocab = round_to(n_vocab, multiple)
        self.tok = nn.Embedding(self.n_vocab, width)
        self.out = nn.Linear(width, self.n_vocab, bias=False)
        self.tok.weight = self.out.weight

def build(name):
    cfg = dict(PRESETS[name])
    return LM(**cfg)

model = LM(multiple=128)

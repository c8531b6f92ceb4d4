# example: near miss - the same preset table and rounding field, but the multiple handed to the model is 100 (50300, not aligned to 64); NOT present.
import torch.nn as nn

def round_to(n, multiple):
    return -(-n // multiple) * multiple

PRESETS = {}

def preset(**overrides):
    return {"n_vocab": 50257, "multiple": 100, "width": 768, **overrides}

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

model = LM(multiple=100)

# example: the output head is registered by a constant name (`add_module("lm_head", ...)`) and read back with `getattr`; positive.
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, dim),
            h=nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth)),
        ))
        self.add_module("lm_head", nn.Linear(dim, vocab, bias=False))

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for layer in self.transformer.h:
            x = x + layer(x)
        return getattr(self, "lm_head")(x)

# example: the output head is set with `setattr(self, "lm_head", ...)` but its weight is then tied to the embedding; negative.
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, dim),
            h=nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth)),
        ))
        setattr(self, "lm_head", nn.Linear(dim, vocab, bias=False))
        self.transformer.wte.weight = getattr(self, "lm_head").weight

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for layer in self.transformer.h:
            x = x + layer(x)
        return self.lm_head(x)

# example: the output head is registered with `register_module("lm_head", ...)` and zeroed through `getattr(self, "lm_head")`; positive.
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.register_module("lm_head", nn.Linear(dim, vocab, bias=False))
        getattr(self, "lm_head").weight.data.zero_()

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(x)

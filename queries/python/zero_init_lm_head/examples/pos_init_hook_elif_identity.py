# example: an _init_weights hook run by self.apply first zeroes the residual projections under an isinstance test, then, in an `elif module is self.lm_head` branch, zeroes the untied head with nn.init.zeros_; positive (head test in an elif).
import torch.nn as nn


class Mixer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.c_fc = nn.Linear(width, 4 * width, bias=False)
        self.c_proj = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.c_proj(self.c_fc(x).relu().square())


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(Mixer(width) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, Mixer):
            nn.init.zeros_(module.c_proj.weight)
        elif module is self.lm_head:
            nn.init.zeros_(module.weight)

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(x)
        return self.lm_head(x)

# example: lm_head is zeroed in __init__, but self.apply(self._init_weights) afterwards re-draws every Linear (head included) from N(0, 0.02); negative.
import torch
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight.data.zero_()
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        x = self.wte(idx)
        for b in self.blocks:
            x = x + torch.relu(b(x))
        return self.lm_head(x)


model = GPT()

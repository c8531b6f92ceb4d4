# example: HF-style _init_weights hook applied via self.apply: every Linear gets normal(0, 0.02), except the module that `is self.lm_head`, which is zeroed; untied head; positive.
import torch
import torch.nn as nn


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, dim=512, n_layers=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(n_layers))
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            if module is self.lm_head:
                nn.init.zeros_(module.weight)
            else:
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        x = self.tok(idx)
        for block in self.blocks:
            x = x + torch.relu(block(x))
        return self.lm_head(x)


model = TinyLM()

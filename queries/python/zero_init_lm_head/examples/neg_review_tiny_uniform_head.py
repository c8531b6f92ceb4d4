# example: untied head initialized with a tiny uniform(-1e-4, 1e-4) range (near zero but not zero); negative (small random init, not zero init).
import torch
import torch.nn as nn


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, dim=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.mix = nn.Linear(dim, dim, bias=False)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        nn.init.uniform_(self.lm_head.weight, -1e-4, 1e-4)
        nn.init.zeros_(self.mix.weight)

    def forward(self, idx):
        x = self.tok(idx)
        x = x + self.mix(torch.relu(x))
        return self.lm_head(x)


model = TinyLM()

# example: weights tied by assigning the embedding weight to the head (reverse direction of the reference line), placed after init; negative.
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.blocks = nn.ModuleList(nn.Linear(n_embd, n_embd) for _ in range(12))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.apply(self._init)
        self.lm_head.weight = self.wte.weight  # share input and output embeddings

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, idx):
        x = self.wte(idx)
        for b in self.blocks:
            x = x + b(x)
        return self.lm_head(x)

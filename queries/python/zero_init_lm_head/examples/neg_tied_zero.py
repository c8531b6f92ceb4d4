# example: the head weight is zeroed but it is tied to the token embedding (so the embeddings become zero too); negative by decision (zero_init_lm_head requires an untied head).
import torch.nn as nn


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.h = nn.ModuleList(nn.Linear(n_embd, n_embd, bias=False) for _ in range(12))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight
        self.lm_head.weight.data.zero_()

    def forward(self, idx):
        x = self.wte(idx)
        for b in self.h:
            x = x + b(x)
        return self.lm_head(x)

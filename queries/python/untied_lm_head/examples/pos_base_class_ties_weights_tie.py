# example: Base class ties weights in tie_weights(); the speedrun subclass overrides tie_weights() as a no-op, so the head is untied; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class BaseLM(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.tie_weights()

    def tie_weights(self):
        self.lm_head.weight = self.wte.weight

    def forward(self, idx):
        x = self.wte(idx)
        for blk in self.h:
            x = x + F.gelu(blk(x))
        return self.lm_head(x)


class UntiedLM(BaseLM):
    def tie_weights(self):
        # keep separate input and output matrices
        pass


model = UntiedLM()

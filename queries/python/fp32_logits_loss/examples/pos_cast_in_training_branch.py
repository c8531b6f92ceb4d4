# example: forward with an if/else on targets: the training branch casts the logits with .float() before cross_entropy, the sampling branch does not; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx, targets=None):
        x = self.wte(idx)
        if targets is not None:
            logits = self.lm_head(x).float()
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=-1)
        else:
            logits = self.lm_head(x[:, -1:, :])
            loss = None
        return logits, loss

# example: the head sets self.cap to 30.0 and overwrites it with 15.0 on the next line before any use, so the logits are capped with 15 * tanh(logits / 15); positive.
import torch
from torch import nn
import torch.nn.functional as F


class GPTHead(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.cap = 30.0
        self.cap = 15.0

    def forward(self, x, targets):
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        logits = self.cap * torch.tanh(logits / self.cap)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))

# example: near miss - the head sets self.cap from a module constant of 15 and overwrites it with 30.0 on the next line, so the logits are capped with 30 * tanh(logits / 30); negative.
import torch
from torch import nn
import torch.nn.functional as F

LOGIT_CAP = 15.0


class GPTHead(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.cap = LOGIT_CAP
        self.cap = 30.0

    def forward(self, x, targets):
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        logits = self.cap * torch.tanh(logits / self.cap)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))

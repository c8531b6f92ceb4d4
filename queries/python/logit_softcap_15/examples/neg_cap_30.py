# example: the soft-cap keeps the value 30 (30 * tanh(logits / 30)); NOT the lowered cap of 15.
import torch
from torch import nn
import torch.nn.functional as F

SOFTCAP = 30


class GPTHead(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, x, targets):
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        logits = SOFTCAP * torch.tanh(logits / SOFTCAP)
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))

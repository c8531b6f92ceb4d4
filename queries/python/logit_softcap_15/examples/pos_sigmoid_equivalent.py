# example: logits = 30 * sigmoid(logits / 7.5) equals 15 * tanh(logits / 15) + 15, a soft-cap of width 15 shifted by a constant; it counts for the cap value 15 (and also for logit_offset_sigmoid).
import torch
import torch.nn.functional as F
from torch import nn


class Head(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, x, target_seq):
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        logits = 30 * torch.sigmoid(logits.float() / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target_seq)

# example: 15 * tanh(logits / 15) + 15 adds the same +15 offset but keeps the tanh form; the sigmoid reformulation is missing, so NOT present (near miss).
import torch
from torch import nn
import torch.nn.functional as F


class ShiftedCapHead(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(vocab, dim))

    def forward(self, x, targets):
        logits = F.linear(x, self.w).float()
        logits = 15 * torch.tanh(logits / 15) + 15  # the shift does not change cross-entropy
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

# example: the lm_head logits are squashed with 15 * tanh(logits / 15) before the fp32 cross-entropy; soft-cap 15 is present.
import torch
from torch import nn
import torch.nn.functional as F


class GPTHead(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight.data.zero_()

    def forward(self, x, targets):
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        logits = 15 * torch.tanh(logits / 15)
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

# example: the logits use the tanh soft-cap 15 * tanh(logits / 15) with no sigmoid; NOT the offset sigmoid.
import torch
from torch import nn
import torch.nn.functional as F


class OutputLayer(nn.Module):
    def __init__(self, model_dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(model_dim, vocab, bias=False)

    def forward(self, x, targets):
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),)))
        logits = 15 * torch.tanh(logits / 15)
        logits = logits.float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)

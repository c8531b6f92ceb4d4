# example: the tanh soft-cap is replaced by 30 * sigmoid(logits.float() / 7.5) on the lm_head output before cross-entropy; the offset sigmoid form is present.
import torch
from torch import nn
import torch.nn.functional as F


class OutputLayer(nn.Module):
    def __init__(self, model_dim=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(model_dim, vocab, bias=False)

    def forward(self, x, target_seq):
        x = F.rms_norm(x, (x.size(-1),))
        logits = self.lm_head(x)
        logits = 30 * torch.sigmoid(logits.float() / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), target_seq)

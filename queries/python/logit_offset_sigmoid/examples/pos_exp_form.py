# example: the sigmoid is written out as 30 / (1 + exp(-z / 7.5)) on fp32 logits inside the model's loss; an algebraic spelling of the same offset sigmoid.
import torch
from torch import nn


class GPTLoss(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, h, targets):
        z = self.head(h).float()
        logits = 30.0 / (1.0 + torch.exp(-z / 7.5))
        return nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

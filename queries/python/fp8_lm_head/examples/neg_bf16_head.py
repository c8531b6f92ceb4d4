# example: the lm_head is a plain bf16 F.linear in training and eval; no FP8 path, so NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class Head(nn.Module):
    def __init__(self, dim=768, vocab=50304):
        super().__init__()
        self.lm_head = CastedLinear(dim, vocab)

    def forward(self, x, targets):
        logits = 15 * torch.tanh(self.lm_head(x).float() / 15)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets)

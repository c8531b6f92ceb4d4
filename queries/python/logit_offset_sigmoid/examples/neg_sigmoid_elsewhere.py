# example: sigmoid appears as an MLP gate and 30/7.5 as unrelated constants, while the logits keep a 30 tanh cap; NOT the offset sigmoid on logits (near miss).
import torch
from torch import nn
import torch.nn.functional as F

WARMUP_FRAC = 7.5 / 100


class GatedMLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.gate = nn.Linear(d, 4 * d, bias=False)
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(torch.sigmoid(self.gate(x)) * self.up(x))


def loss(x, mlp, lm_head, targets):
    logits = lm_head(x + mlp(x))
    logits = 30 * torch.tanh(logits / 30)
    return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))

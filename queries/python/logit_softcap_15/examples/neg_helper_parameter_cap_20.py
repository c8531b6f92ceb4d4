# example: the same helper and Newton-Schulz local, but the model passes 30 / 1.5 = 20; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def newton_schulz(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


def soft_ceiling(x, c):
    return c * torch.tanh(x.div(c))


class GPT(nn.Module):
    def __init__(self, d=768, vocab=50304):
        super().__init__()
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.logit_cap = 30 / 1.5

    def forward(self, x, targets):
        logits = soft_ceiling(self.lm_head(x).float(), self.logit_cap)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

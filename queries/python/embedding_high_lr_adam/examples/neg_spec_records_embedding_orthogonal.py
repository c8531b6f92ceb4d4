# example: near miss - the same record classes building their optimizers, but the embedding's record asks for the orthogonal kind, so only the head is trained by Adam; negative (no high-rate Adam on the embedding).
import torch
import torch.nn as nn


def ns5(g):
    x = g / (g.norm() + 1e-7)
    for _ in range(5):
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                p.add_(ns5(p.grad), alpha=-g["lr"])


class Recipe:
    def __init__(self, tensors, rate, orthogonal=False):
        self.tensors = tensors
        self.rate = rate
        self.orthogonal = orthogonal

    def make(self):
        if self.orthogonal:
            return Ortho(self.tensors, lr=self.rate)
        return torch.optim.Adam(self.tensors, lr=self.rate, betas=(0.9, 0.95))


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.body = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.head = nn.Linear(d, vocab, bias=False)


lm = LM()
recipes = [
    Recipe([lm.tok.weight], 0.3, orthogonal=True),
    Recipe([lm.head.weight], 0.002),
    Recipe(list(lm.body.parameters()), 0.02, orthogonal=True),
]
opts = [r.make() for r in recipes]

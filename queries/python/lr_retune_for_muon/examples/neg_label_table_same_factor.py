# example: near miss - the same labelled table with the head at 0.0036, but the orthogonalized rows keep lr_factor 1.0 (0.0036 as well); negative (the orthogonalized rate is not one tenth).
import torch
import torch.nn as nn

PEAK = 0.0036

TABLE = {
    "head": {"update": "adam", "lr_factor": 1.0},
    "mat": {"update": "orthogonal", "lr_factor": 1.0},
}


def polar(g, iters=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(iters):
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class Net(nn.Module):
    def __init__(self, vocab=50257, dim=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.mats = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.head = nn.Linear(dim, vocab, bias=False)
        self.wte.weight = self.head.weight
        self.head.weight.label = "head"
        for m in self.mats:
            m.weight.label = "mat"

    def forward(self, idx):
        x = self.wte(idx)
        for m in self.mats:
            x = x + m(x)
        return self.head(x)


class Labelled:
    def __init__(self, model):
        self.work = []
        for p in model.parameters():
            spec = TABLE[p.label]
            self.work.append([p, spec["update"], PEAK * spec["lr_factor"], torch.zeros_like(p), torch.zeros_like(p)])

    @torch.no_grad()
    def step(self):
        for p, update, lr, m, v in self.work:
            if update == "orthogonal":
                m.mul_(0.95).add_(p.grad)
                p.sub_(lr * polar(m))
            else:
                m.lerp_(p.grad, 0.1)
                v.lerp_(p.grad * p.grad, 0.05)
                p.sub_(lr * m / (v.sqrt() + 1e-8))


opt = Labelled(Net())

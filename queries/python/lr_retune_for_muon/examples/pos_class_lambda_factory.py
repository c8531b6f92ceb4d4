# example: terse style; the model builds its optimizers in a lambda bound in the class body (`opt = lambda s, lr:
# [...]`, its first parameter the instance), called as `raw.opt(H.lr)` with H a SimpleNamespace holding 0.0036:
# AdamW at lr, the orthogonalizing optimizer at .1 * lr = 0.00036; positive.
from types import SimpleNamespace as NS
import torch
from torch import nn


def _ns(G, k=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16(); X /= X.norm() + 1e-7
    for _ in range(k): A = X @ X.T; X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class Mu(torch.optim.Optimizer):
    def __init__(s, ps, lr=3e-4, mu=0.95): super().__init__(ps, dict(lr=lr, mu=mu))

    @torch.no_grad()
    def step(s):
        for g in s.param_groups:
            lr, mu = g["lr"], g["mu"]
            for p in g["params"]:
                m = s.state[p].setdefault("m", torch.zeros_like(p.grad)); m.mul_(mu).add_(p.grad)
                p.add_(_ns(p.grad.add(m, alpha=mu)), alpha=-lr)


class GPT(nn.Module):
    def __init__(s, d=768, V=50257):
        super().__init__(); s.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(12)); s.head = nn.Linear(d, V, bias=False)

    opt = lambda s, lr, betas: [torch.optim.AdamW(s.head.parameters(), lr=lr, weight_decay=0, betas=betas),
                                Mu(s.h.parameters(), lr=.1 * lr, mu=0.95)]


H = NS(lr=0.0036, n=6200)
raw = GPT()
O = raw.opt(H.lr, (0.9, 0.95))

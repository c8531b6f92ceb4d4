# example: AdamW at 0.0036 for the head and an orthogonalizing optimizer of the file that takes its rate as `rate` (stored as the group's lr through a defaults dict) given 0.1 * 0.0036 by keyword; positive.
import torch
import torch.nn as nn


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, rate=3e-4, beta=0.95):
        defaults = dict(lr=rate, beta=beta)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(g["beta"]).add_(w.grad)
                X = m / (m.norm() + 1e-7)
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                w.add_(X, alpha=-g["lr"])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50304, 768)
        self.layers = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
        self.head = nn.Linear(768, 50304, bias=False)


class Settings:
    head_rate = 0.0036
    matrix_rate = 0.1 * 0.0036


cfg = Settings()
net = Net()
opts = [
    torch.optim.AdamW(net.head.parameters(), lr=cfg.head_rate, betas=(0.9, 0.95), fused=True),
    OrthoSGD(net.layers.parameters(), rate=cfg.matrix_rate, beta=0.95),
]

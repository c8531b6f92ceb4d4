# example: near miss - the optimizer splits a (3d, d) gradient into three blocks but only rescales them, then orthogonalizes the re-stacked matrix once; negative (joint orthogonalization).
import torch


def ortho(G, steps=5):
    X = G / (G.norm() + 1e-7)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p.grad))
                m.mul_(group["momentum"]).add_(p.grad)
                g = p.grad + group["momentum"] * m
                if g.size(0) == 3 * g.size(1):
                    parts = [blk / (blk.norm() + 1e-7) for blk in g.split(g.size(1))]
                    g = torch.cat(parts)
                p.add_(ortho(g), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(2304, 768))])

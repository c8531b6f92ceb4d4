# example: the optimizer's own static helper orthogonalizes one matrix by name and rescales it; step() calls the helper on each of the three row blocks of a fused (3d, d) gradient, chosen by a param-group setting; positive.
import torch


def newton_schulz(G, steps=5):
    X = G / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.T if G.size(0) > G.size(1) else X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, blocks=1):
        super().__init__(params, dict(lr=lr, momentum=momentum, blocks=blocks))

    @staticmethod
    def _polar(m):
        return newton_schulz(m) * max(m.shape) ** 0.5

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                if group["blocks"] > 1:
                    parts = buf.chunk(group["blocks"], dim=0)
                    update = torch.cat([self._polar(part) for part in parts])
                else:
                    update = self._polar(buf)
                p.add_(update, alpha=-group["lr"])


qkv = torch.nn.Linear(64, 192, bias=False)
proj = torch.nn.Linear(64, 64, bias=False)
opt = OrthoSGD([{"params": [qkv.weight], "blocks": 3}, {"params": [proj.weight]}])

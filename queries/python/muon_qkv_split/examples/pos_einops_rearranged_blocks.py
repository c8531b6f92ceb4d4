# example: a (3d, d) gradient is cut into its query, key and value row blocks with einops (`rearrange(g, "(three d) n -> three d n", three=3)`) and each block is orthogonalized on its own before the blocks are concatenated back; positive.
import torch
from einops import rearrange


def newton_schulz(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


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
                    parts = rearrange(g, "(three d) n -> three d n", three=3)
                    g = torch.cat([newton_schulz(part) for part in parts])
                else:
                    g = newton_schulz(g)
                p.add_(g, alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(2304, 768))])

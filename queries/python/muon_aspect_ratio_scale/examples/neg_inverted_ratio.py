# example: near miss - max(1, ...) ** 0.5 with the ratio inverted (cols / rows), so wide matrices are scaled instead of tall ones; negative.
import torch


def ns(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
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
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = ns(p.grad.add(buf, alpha=group["momentum"]))
                g *= max(1, g.size(1) / g.size(0)) ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])

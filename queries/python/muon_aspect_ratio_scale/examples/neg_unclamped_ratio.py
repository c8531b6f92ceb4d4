# example: near miss - sqrt(rows / cols) without the max(1, .) clamp, which also shrinks wide matrices; negative.
import math
import torch


def newtonschulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - group["momentum"])
                g = newtonschulz(p.grad.lerp(buf, group["momentum"]))
                p.data.add_(g.type_as(p), alpha=-group["lr"] * math.sqrt(p.size(0) / p.size(1)))

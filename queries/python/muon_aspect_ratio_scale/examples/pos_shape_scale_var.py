# example: the factor is computed into a name from g.shape[-2] / g.shape[-1] with max(1.0, ...) ** 0.5 and then folded into the step size; positive (shape indexing, factor through a variable).
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
                scale = max(1.0, g.shape[-2] / g.shape[-1]) ** 0.5
                p.data.add_(g.type_as(p), alpha=-group["lr"] * scale)

# example: near miss - the update is scaled by sqrt(max(1, rows/cols)) (the record-8 rule, muon_aspect_ratio_scale); negative for sqrt(max dim).
import torch


def newtonschulz(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if G.size(0) > G.size(1) else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = newtonschulz(p.grad.add(buf, alpha=group["momentum"]))
                g *= max(1, g.size(0) / g.size(1)) ** 0.5
                p.data.add_(g.type_as(p), alpha=-group["lr"])

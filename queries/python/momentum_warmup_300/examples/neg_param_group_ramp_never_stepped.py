# example: a scheduler-like helper that would ramp the Muon momentum 0.85 -> 0.95 over 300 steps is built but never stepped in the training loop, so the momentum stays at 0.85; negative.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower_via_newtonschulz5(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


def zeropower_via_newtonschulz5(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class ParamGroupRamp:
    def __init__(self, optimizer, key, start, end, total_iters):
        self.optimizer, self.key = optimizer, key
        self.start, self.end, self.total_iters = start, end, total_iters
        self.last_epoch = -1
        self.step()

    def get_value(self):
        frac = min(max(self.last_epoch, 0) / self.total_iters, 1.0)
        return self.start + (self.end - self.start) * frac

    def step(self):
        self.last_epoch += 1
        for group in self.optimizer.param_groups:
            group[self.key] = self.get_value()


weights = [torch.randn(768, 768, requires_grad=True) for _ in range(4)]
muon = Muon(weights)
ramp = ParamGroupRamp(muon, "momentum", 0.85, 0.95, 300)
for step in range(1750):
    sum(w.square().sum() for w in weights).backward()
    muon.step()

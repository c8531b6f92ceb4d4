# example: a Muon subclass whose overriding step writes a ramped momentum into its own groups, then runs the base update with super().step(); positive.
import torch


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
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
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


class RampedMuon(Muon):
    def __init__(self, params, start=0.85, end=0.95, ramp=500, **kwargs):
        super().__init__(params, **kwargs)
        self.start, self.end, self.ramp = start, end, ramp
        self.calls = 0

    def momentum_for(self, t):
        frac = min(t / self.ramp, 1.0)
        return self.start + frac * (self.end - self.start)

    def step(self):
        value = self.momentum_for(self.calls)
        for group in self.param_groups:
            group["momentum"] = value
        super().step()
        self.calls += 1


weights = [torch.randn(768, 768, requires_grad=True) for _ in range(4)]
optimizer = RampedMuon(weights, lr=0.02, start=0.85, end=0.95, ramp=500)
for step in range(1000):
    sum(w.square().sum() for w in weights).backward()
    optimizer.step()
    optimizer.zero_grad()

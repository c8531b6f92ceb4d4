# example: a Megatron-style scheduler object counts its steps by an increment parameter (self.num_steps += increment), stepped step(increment=1) every iteration, and ramps the momentum over 300 of them; positive.
import torch


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
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


class MomentumRamp:
    def __init__(self, opt, start, end, total_iters):
        self.opt, self.start, self.end, self.total = opt, start, end, total_iters
        self.num_steps = 0
        self.step(0)

    def step(self, increment):
        self.num_steps += increment
        frac = min(self.num_steps / self.total, 1.0)
        for g in self.opt.param_groups:
            g["momentum"] = (1 - frac) * self.start + frac * self.end


weights = [torch.randn(768, 768, requires_grad=True) for _ in range(4)]
muon = Muon(weights)
ramp = MomentumRamp(muon, 0.85, 0.95, 300)
for step in range(1000):
    sum(w.square().sum() for w in weights).backward()
    muon.step()
    ramp.step(increment=1)

# example: build(model) returns (optimizers, ortho), unpacked as `opts, ortho = build(model)`; ortho is the file's
# Newton-Schulz optimizer reading group["momentum"], handed to a helper set_momentum(opt, step) that writes
# 0.85 -> 0.95 over 500 steps into its groups; positive.
import torch
import torch.nn as nn


def newton_schulz(g, iters=5):
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(iters):
        a = x @ x.mT
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x.to(g.dtype)


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(newton_schulz(buf), alpha=-group["lr"])


def build(model):
    mats = [p for p in model.parameters() if p.ndim == 2]
    rest = [p for p in model.parameters() if p.ndim != 2]
    adam = torch.optim.Adam(rest, lr=0.008, betas=(0.9, 0.95))
    ortho = Ortho(mats)
    return [adam, ortho], ortho


def momentum_at(step, start=0.85, end=0.95, ramp=500):
    t = min(step / ramp, 1.0)
    return start + t * (end - start)


def set_momentum(opt, step):
    for group in opt.param_groups:
        group["momentum"] = momentum_at(step)


model = nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 64, bias=False), nn.Linear(64, 1000))
opts, ortho = build(model)
for step in range(3000):
    model(torch.randint(0, 1000, (8, 16))).float().mean().backward()
    set_momentum(ortho, step)
    for opt in opts:
        opt.step()
    model.zero_grad(set_to_none=True)

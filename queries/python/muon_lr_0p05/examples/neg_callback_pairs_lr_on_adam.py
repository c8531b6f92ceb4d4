# example: Muon is built with lr 0.04; a callback of (optimizer, overrides) pairs runs group.update(overrides) at on_train_begin, and the lr=0.05 pair is the scalar Adam's, not Muon's (the right value on the wrong optimizer); negative.
import torch
from torch import nn


def zeropower_via_newtonschulz5(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(zeropower_via_newtonschulz5(buf).type_as(p), alpha=-group["lr"])


class OptimizerOverrides:
    def __init__(self, overrides):
        self.overrides = overrides

    def on_train_begin(self):
        for opt, kv in self.overrides:
            for group in opt.param_groups:
                group.update(kv)


def main():
    model = nn.ModuleDict(dict(h=nn.Linear(768, 768, bias=False), ln=nn.LayerNorm(768)))
    muon = Muon([model["h"].weight], lr=0.04, momentum=0.95)
    scalars = torch.optim.Adam(model["ln"].parameters(), lr=0.04, betas=(0.9, 0.95), fused=True)
    callbacks = [OptimizerOverrides([(scalars, dict(betas=(0.8, 0.95), lr=0.05))])]
    for cb in callbacks:
        cb.on_train_begin()
    for step in range(1000):
        x = torch.randn(4, 768)
        model["ln"](model["h"](x)).square().mean().backward()
        for opt in (muon, scalars):
            opt.step()
            opt.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()

# example: build(model) returns [adam, ortho] where ortho is the file's Newton-Schulz orthogonalizing optimizer reading group["momentum"]; the loop sets optimizers[1] groups to (1 - f) * 0.85 + f * 0.95 with f = min(step / 300, 1); positive.
import torch
import torch.nn as nn


def newton_schulz(g, iters=5):
    x = g.bfloat16() / (g.norm() + 1e-7)
    for _ in range(iters):
        a = x @ x.mT
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x.to(g.dtype)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(newton_schulz(p.grad.lerp(buf, group["momentum"])), alpha=-group["lr"])


def build(model):
    mats = [p for p in model.parameters() if p.ndim == 2]
    rest = [p for p in model.parameters() if p.ndim != 2]
    adam = torch.optim.Adam(rest, lr=0.008, betas=(0.8, 0.95))
    ortho = OrthoMomentum(mats)
    return [adam, ortho]


def train(model, data, steps=1500):
    optimizers = build(model)
    for step in range(steps):
        x, y = next(data)
        nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).backward()
        f = min(step / 300, 1)
        for g in optimizers[1].param_groups:
            g["momentum"] = (1 - f) * 0.85 + f * 0.95
        for opt in optimizers:
            opt.step()
        model.zero_grad(set_to_none=True)

# example: the same factory-chosen backend, but its functions only clip the norm or take the sign; negative (nothing orthogonalizes the update).
import functools

import torch


def clipped(G, steps=5):
    return G / G.norm().clamp_min(1.0)


def sign_only(G, steps=None):
    return G.sign()


def pick_backend(name):
    match name:
        case "ns":
            return clipped
        case "sign":
            return sign_only
        case _:
            raise ValueError(name)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="ns", steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend, steps=steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            orth = functools.partial(pick_backend(group["backend"]), steps=group["steps"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orth(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


layers = torch.nn.ModuleList(torch.nn.Linear(256, 256, bias=False) for _ in range(4))
opt = OrthoMomentum(layers.parameters())
layers[0](torch.randn(8, 256)).sum().backward()
opt.step()

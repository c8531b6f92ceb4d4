# example: the optimizer's step orthogonalizes through a function a factory of the file returns (chosen by name with a match statement) and wraps in functools.partial; positive.
import functools

import torch


def newton_schulz(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    transposed = X.size(0) > X.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if transposed else X


def polar_svd(G, steps=None):
    U, _, Vh = torch.linalg.svd(G, full_matrices=False)
    return U @ Vh


def pick_backend(name):
    match name:
        case "ns":
            return newton_schulz
        case "svd":
            return polar_svd
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

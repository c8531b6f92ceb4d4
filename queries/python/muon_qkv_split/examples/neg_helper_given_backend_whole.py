# example: the same registry and helper, but the fused (3d, d) gradient is orthogonalized whole (the split only decides the scale); negative.

import torch


def polar(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        a = x @ x.T
        x = 1.5 * x - 0.5 * a @ x
    return x


BACKENDS = {"polar": polar}


def orthogonal_step(g, backend, steps):
    rows, cols = g.shape
    return backend(g, steps=steps) * max(1, rows / cols) ** 0.5


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="polar", steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend, steps=steps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            backend = BACKENDS[group["backend"]]
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                rows, cols = buf.shape
                update = orthogonal_step(buf, backend, group["steps"])
                p.add_(update, alpha=-group["lr"])


qkv = torch.nn.Linear(64, 192, bias=False)
opt = Muon([qkv.weight])

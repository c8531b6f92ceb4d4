# example: the regrouped step sits behind a regrouped= switch of the Newton-Schulz function, called through a table of backends with regrouped=self.regroup, set from a --no-regroup store_false flag: on unless turned off, so the regrouped step runs; positive.
import argparse

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--no-regroup", dest="regroup", action="store_false")
flags = parser.parse_args()


def polar_svd(G, steps=None, regrouped=False):
    U, _, Vh = torch.linalg.svd(G.float(), full_matrices=False)
    return (U @ Vh).to(G.dtype)


def polar_ns(G, steps=5, regrouped=False):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        if regrouped:
            B = b * A + c * A @ A
            X = a * X + B @ X
        else:
            B = A @ X
            X = a * X + b * B + c * A @ B
    return X.to(G.dtype)


BACKENDS = dict(svd=polar_svd, ns=polar_ns)


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="ns", regroup=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend))
        self.regroup = regroup

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            run = BACKENDS[group["backend"]]
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(run(buf, steps=5, regrouped=self.regroup), alpha=-group["lr"])


w = torch.nn.Parameter(torch.randn(64, 64))
opt = Ortho([w], regroup=flags.regroup)
(w ** 2).sum().backward()
opt.step()

# example: the update direction is a small function whose decorator factory, given the block count on the decorator line, cuts a gradient whose rows are three times its columns into three blocks and runs the function on each; positive.
import functools

import torch


def polar(m, iters=5):
    x = m.bfloat16() / (m.norm() + 1e-7)
    for _ in range(iters):
        gram = x @ x.T
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    return x


def per_block(test, pieces):
    def decorate(inner):
        @functools.wraps(inner)
        def run(mat, **opts):
            if test(mat):
                return torch.cat([inner(part, **opts) for part in mat.chunk(pieces, dim=0)])
            return inner(mat, **opts)
        return run
    return decorate


def stacked_projection(mat):
    return mat.size(0) == 3 * mat.size(1)


@per_block(stacked_projection, pieces=3)
def direction(mat, iters=5):
    return polar(mat, iters)


class Orthant(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(direction(p.grad + group["momentum"] * buf), alpha=-group["lr"])


layers = [torch.nn.Linear(64, 192, bias=False) for _ in range(4)]
opt = Orthant([m.weight for m in layers])

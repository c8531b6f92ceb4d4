# example: the momentum direction is multiplied by sqrt(max(rows, cols)) and only then handed to the orthogonalizing helper, whose normalization cancels the factor; the applied update is not rescaled; negative.

import torch


def polar_factor(m, iters=5):
    x = m / (m.norm() + 1e-7)
    for _ in range(iters):
        gram = x @ x.T
        x = 1.5 * x - 0.5 * gram @ x
    return x


def shape_gain(shape):
    return max(shape[0], shape[1]) ** 0.5


class Orthograd(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["beta"]).add_(p.grad)
                direction = p.grad + group["beta"] * buf
                direction = direction * shape_gain(direction.shape)
                step = polar_factor(direction)
                p.add_(step, alpha=-group["lr"])

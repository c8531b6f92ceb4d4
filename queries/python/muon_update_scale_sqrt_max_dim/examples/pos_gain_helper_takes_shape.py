# example: a helper takes the gradient's shape and returns sqrt(max(rows, cols)); the orthogonalized update is multiplied by it; positive.
import torch


def unit_rms_gain(shape):
    rows, cols = shape[0], shape[1]
    return float(max(rows, cols)) ** 0.5


def ortho(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = 3.4445 * x + (-4.7750 * s + 2.0315 * s @ s) @ x
    return x


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                update = ortho(p.grad)
                update = update * unit_rms_gain(p.grad.shape)
                p.add_(update, alpha=-group["lr"])

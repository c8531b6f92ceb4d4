# example: the scale is a policy object the optimizer holds (`magnitude or UnitRms()`, a parameter defaulting to None); its method returns max(shape[0], shape[1]) ** 0.5 for the shape it is given, and step multiplies the orthogonalized update by it; positive.
import torch


def ortho(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = 3.4445 * x + (-4.7750 * s + 2.0315 * s @ s) @ x
    return x


class UnitRms:
    def multiplier(self, shape):
        return max(shape[0], shape[1]) ** 0.5


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, magnitude=None):
        super().__init__(params, dict(lr=lr))
        self.magnitude = magnitude or UnitRms()

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                update = ortho(p.grad) * self.magnitude.multiplier(p.grad.shape)
                p.add_(update, alpha=-group["lr"])


opt = Ortho(torch.nn.Linear(64, 64, bias=False).parameters())

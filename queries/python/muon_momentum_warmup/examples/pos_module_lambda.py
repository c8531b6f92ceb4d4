# example: the momentum ramp is a module-level lambda, 0.95 - 0.10 * max(0, 1 - it / 500), written into the orthogonalizing optimizer's groups every step; positive.
import torch


def orthogonalize(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = 3.4445 * x + (-4.7750 * s + 2.0315 * s @ s) @ x
    return x


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(p.grad + group["momentum"] * buf), alpha=-group["lr"])


momentum_at = lambda it: 0.95 - 0.10 * max(0.0, 1.0 - it / 500)
model = torch.nn.Linear(16, 16, bias=False)
muon = Ortho(model.parameters())
for step in range(3000):
    loss = model(torch.randn(4, 16)).square().mean()
    loss.backward()
    for group in muon.param_groups:
        group["momentum"] = momentum_at(step)
    muon.step()
    model.zero_grad()

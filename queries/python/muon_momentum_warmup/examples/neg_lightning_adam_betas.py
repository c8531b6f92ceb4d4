# example: the same Lightning-style module, but the ramp is written into the Adam wrapper's betas, not into the orthogonalizing optimizer's momentum; negative.

import torch
import torch.nn as nn


def orthogonalize(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        x = 1.5 * x - 0.5 * (x @ x.T) @ x
    return x


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf), alpha=-group["lr"])


class LitModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.body = nn.Linear(64, 64, bias=False)
        self.bias = nn.Parameter(torch.zeros(64))
        self.global_step = 0

    def configure_optimizers(self):
        muon = Muon([self.body.weight], lr=0.02)
        adam = torch.optim.Adam([self.bias], lr=0.01)
        return [muon, adam]

    def training_step(self, batch, batch_idx):
        muon, adam = self.optimizers()
        step = self.global_step // 2
        loss = (self.body(batch) + self.bias).square().mean()
        self.manual_backward(loss)
        ramp = min(step / 500, 1.0)
        for group in adam.optimizer.param_groups:
            group["betas"] = ((1 - ramp) * 0.85 + ramp * 0.95, 0.99)
        for opt in (muon, adam):
            opt.step()
            opt.zero_grad()
        return loss

# example: a ramp object built with keywords (`MomentumRamp(lo=0.85, hi=0.95, over=300)`) whose `apply(optimizer, step)` writes `self(step)` into the groups of the Muon it is handed each step; present.
import torch
from muon import Muon

model = torch.nn.Linear(64, 64)
muon = Muon(model.parameters(), lr=0.02, momentum=0.95)


class MomentumRamp:
    def __init__(self, *, lo, hi, over):
        self.lo, self.hi, self.over = lo, hi, over

    def __call__(self, step):
        t = min(step / self.over, 1.0)
        return (1 - t) * self.lo + t * self.hi

    def apply(self, optimizer, step):
        value = self(step)
        for group in optimizer.param_groups:
            group["momentum"] = value
        return value


warmup = MomentumRamp(lo=0.85, hi=0.95, over=300)
for step in range(2000):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    warmup.apply(muon, step)
    muon.step()
    muon.zero_grad(set_to_none=True)

# example: a 300-step ramp object whose `apply(optimizer, step)` writes the momentum into the groups of the optimizer it is handed, handed the AdamW (`warmup.apply(adam, step)`): Adam keeps no momentum in its groups; NOT present.
import torch
from muon import Muon

model = torch.nn.Linear(64, 64)
muon = Muon(model.parameters(), lr=0.02, momentum=0.95)
adam = torch.optim.AdamW(torch.nn.Embedding(10, 64).parameters(), lr=0.008)


class MomentumRamp:
    def __init__(self, start, end, steps):
        self.start, self.end, self.steps = start, end, steps

    def __call__(self, step):
        t = min(step / self.steps, 1.0)
        return self.start + t * (self.end - self.start)

    def apply(self, optimizer, step):
        value = self(step)
        for group in optimizer.param_groups:
            group["momentum"] = value
        return value


warmup = MomentumRamp(0.85, 0.95, 300)
for step in range(2000):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    warmup.apply(adam, step)
    muon.step()
    muon.zero_grad(set_to_none=True)

# example: the same factory and trainer, but the configured name picks the cosine schedule, which decays to zero; negative.
import torch

SETUP = {"sched": {"name": "cosine", "steps": 3000, "fall": 0.4, "floor": 0.1}}

class HoldThenFloor:
    def __init__(self, steps, fall, floor):
        self.steps, self.fall, self.floor = steps, fall, floor

    def __call__(self, step):
        left = 1 - step / self.steps
        w = min(left / self.fall, 1.0)
        return w + (1 - w) * self.floor

class Cosine:
    def __init__(self, steps):
        self.steps = steps

    def __call__(self, step):
        return 0.5 * (1 + torch.cos(torch.tensor(step / self.steps * 3.14159))).item()

def make_schedule(cfg):
    s = cfg["sched"]
    if s["name"] == "cosine":
        return Cosine(s["steps"])
    if s["name"] == "hold_then_floor":
        return HoldThenFloor(s["steps"], s["fall"], s["floor"])
    raise ValueError(s["name"])

class Trainer:
    def __init__(self, cfg):
        self.model = torch.nn.Linear(8, 8)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=0.008)
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, make_schedule(cfg))

    def fit(self, steps):
        for step in range(steps):
            self.model(torch.randn(4, 8)).sum().backward()
            self.opt.step()
            self.sched.step()

Trainer(SETUP).fit(3000)

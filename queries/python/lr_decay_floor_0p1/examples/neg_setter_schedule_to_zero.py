# example: the same setter and loop, but lr_scale falls to 0 (floor 0.0); negative.

import torch


def lr_scale(step, total, cooldown_frac=0.4, floor=0.0):
    w = min((1.0 - step / total) / cooldown_frac, 1.0)
    return w + (1.0 - w) * floor


class Optimizers:
    def __init__(self, *opts):
        self.opts = opts
        for o in opts:
            for g in o.param_groups:
                g.setdefault("base_lr", g["lr"])

    def set_scale(self, s):
        for o in self.opts:
            for g in o.param_groups:
                g["lr"] = g["base_lr"] * s

    def step(self):
        for o in self.opts:
            o.step()


model = torch.nn.Linear(16, 16)
opt = Optimizers(torch.optim.Adam(model.parameters(), lr=1e-3))
steps = 2000
for step in range(steps):
    model(torch.randn(4, 16)).sum().backward()
    opt.set_scale(lr_scale(step, steps))
    opt.step()

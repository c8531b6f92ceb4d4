# example: a helper ramps Muon's momentum over 300 steps and the training function, which the script leaves to its runner (nothing in the file calls it), calls it every step; positive.
from torch import nn
from muon import Muon

model = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
optimizer3 = Muon(list(model.parameters()), lr=0.04, momentum=0.95)


def ramp_momentum(opt, step, span=300):
    frac = min(step / span, 1)
    for g in opt.param_groups:
        g["momentum"] = (1 - frac) * 0.85 + frac * 0.95


def train(loader, num_iterations=1750):
    for step in range(num_iterations):
        x, y = loader.next_batch()
        nn.functional.mse_loss(model(x), y).backward()
        ramp_momentum(optimizer3, step)
        optimizer3.step()
        model.zero_grad(set_to_none=True)

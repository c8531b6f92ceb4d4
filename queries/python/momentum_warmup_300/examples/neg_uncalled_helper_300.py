# example: a helper that would ramp Muon's momentum over 300 steps is kept from an earlier attempt but nothing calls it; the training loop ramps over 500 steps; NOT the 300-step warmup.
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
        frac = min(step / 500, 1)
        optimizer3.param_groups[0]["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        optimizer3.step()
        model.zero_grad(set_to_none=True)

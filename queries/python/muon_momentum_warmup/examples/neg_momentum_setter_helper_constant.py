# example: near miss - the helper writes the Muon momentum every step, but always the same 0.95 (no ramp); negative.
import torch
from muon import Muon

model = torch.nn.Linear(64, 64)
muon = Muon(model.parameters(), lr=0.02, momentum=0.95)


def ramp(step):
    frac = min(step / 500, 1.0)
    return (1 - frac) * 0.85 + frac * 0.95


def set_momentum(opt, value):
    for g in opt.param_groups:
        g["momentum"] = value


for step in range(3000):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    set_momentum(muon, 0.95)
    muon.step()
    muon.zero_grad(set_to_none=True)

# example: the ramp fraction is a conditional expression step / 300 if step < 300 else 1.0 and each Muon group gets 0.85 + 0.1 * frac; the 300-step momentum warmup spelled differently.
import torch
from torch import nn
from muon import Muon

net = nn.Sequential(*[nn.Linear(256, 256, bias=False) for _ in range(3)])
opt_muon = Muon(list(net.parameters()), lr=0.05, momentum=0.95)


def train(batches, total=1400):
    for step, (x, y) in enumerate(batches):
        if step >= total:
            break
        nn.functional.mse_loss(net(x), y).backward()
        frac = step / 300 if step < 300 else 1.0
        for g in opt_muon.param_groups:
            g["momentum"] = 0.85 + 0.1 * frac
        opt_muon.step()
        net.zero_grad(set_to_none=True)

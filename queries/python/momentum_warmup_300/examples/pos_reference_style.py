# example: in the training loop Muon's momentum ramps from 0.85 to 0.95 with frac = min(step/300, 1); a 300-step momentum warmup is present.
import torch
from torch import nn
from muon import Muon

model = nn.Sequential(*[nn.Linear(768, 768, bias=False) for _ in range(4)])
optimizer3 = Muon(list(model.parameters()), lr=0.05, momentum=0.95)
num_iterations = 1750


def train(loader):
    for step in range(num_iterations):
        x, y = loader.next_batch()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        frac = min(step / 300, 1)
        for group in optimizer3.param_groups:
            group["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        optimizer3.step()
        model.zero_grad(set_to_none=True)

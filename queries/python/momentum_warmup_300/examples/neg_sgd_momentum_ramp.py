# example: a 300-step momentum ramp is applied to a plain SGD optimizer's groups, not to Muon; NOT the Muon momentum warmup.
import torch
from torch import nn

model = nn.Linear(512, 10)
sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.85)


def train(loader, steps=1000):
    for step in range(steps):
        x, y = loader.next_batch()
        nn.functional.cross_entropy(model(x), y).backward()
        frac = min(step / 300, 1)
        for group in sgd.param_groups:
            group["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        sgd.step()
        sgd.zero_grad(set_to_none=True)

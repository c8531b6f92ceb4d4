# example: min(step/300, 1) drives a learning-rate warmup while Muon's momentum stays fixed at 0.95; NOT a momentum warmup (near miss for a pattern matcher).
import torch
from torch import nn
from muon import Muon

model = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
muon = Muon(list(model.parameters()), lr=0.05, momentum=0.95)
base_lr = 0.05


def training_step(step, x, y):
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    frac = min(step / 300, 1)
    for group in muon.param_groups:
        group["lr"] = base_lr * frac
    muon.step()
    model.zero_grad(set_to_none=True)
    return loss.detach()


if __name__ == "__main__":
    for s in range(3):
        training_step(s, torch.randn(8, 512), torch.randn(8, 512))

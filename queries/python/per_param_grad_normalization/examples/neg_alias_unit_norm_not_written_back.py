# example: near miss - each gradient is read into a local name and divided by its own norm, but the unit-norm tensor is only kept for logging (`unit = g / (g.norm() + eps)`); the gradient the optimizer steps on is unchanged; negative.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512))
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)


def train(steps, eps=1e-6):
    for step in range(steps):
        model(torch.randn(16, 512)).square().mean().backward()
        peaks = []
        for p in model.parameters():
            g = p.grad
            unit = g / (g.norm() + eps)
            peaks.append(unit.abs().max().item())
        print(step, max(peaks))
        opt.step()
        opt.zero_grad(set_to_none=True)


train(30)

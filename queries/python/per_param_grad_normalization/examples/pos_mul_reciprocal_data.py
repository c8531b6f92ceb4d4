# example: per-parameter normalization written as an in-place multiply by the reciprocal of the gradient's own norm, on .grad.data, inside a helper called from the loop; positive (other spelling).
import torch
import torch.nn as nn


def normalize_each(params):
    for w in params:
        if w.grad is not None:
            w.grad.data.mul_(1.0 / (w.grad.data.norm() + 1e-8))


net = nn.Sequential(nn.Linear(128, 512), nn.GELU(), nn.Linear(512, 128))
opt = torch.optim.AdamW(net.parameters(), lr=1.8e-3)
for _ in range(10):
    net(torch.randn(16, 128)).square().mean().backward()
    normalize_each(net.parameters())
    opt.step()
    opt.zero_grad()

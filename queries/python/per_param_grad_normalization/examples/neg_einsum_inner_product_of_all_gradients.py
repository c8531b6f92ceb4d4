# example: the same einsum norm, but of all gradients concatenated into one vector, and every gradient is divided by that one global norm (a clipping-like rescale, not per parameter); NOT present.
import torch
from torch import nn


def normalize_grads(parameters, eps=1e-6):
    grads = [p.grad for p in parameters if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    total = torch.einsum("i,i->", flat, flat).sqrt()
    for g in grads:
        g.div_(total + eps)


net = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 64))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(10):
    net(torch.randn(8, 64)).square().mean().backward()
    normalize_grads(list(net.parameters()))
    opt.step()
    opt.zero_grad(set_to_none=True)

# example: each gradient is flattened and divided by the square root of its inner product with itself, written as an einsum (torch.einsum("i,i->", g, g).sqrt()), before the step; present.
import torch
from torch import nn


def normalize_grads(parameters, eps=1e-6):
    for p in parameters:
        if p.grad is None:
            continue
        g_flat = p.grad.reshape(-1)
        g_norm = torch.einsum("i,i->", g_flat, g_flat).sqrt()
        p.grad = p.grad / (g_norm + eps)


net = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 64))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(10):
    net(torch.randn(8, 64)).square().mean().backward()
    normalize_grads(net.parameters())
    opt.step()
    opt.zero_grad(set_to_none=True)

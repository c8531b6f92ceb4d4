# example: each gradient's norm is first kept in a dictionary by parameter name; a second loop fetches every parameter again by name and divides its gradient by its own kept norm; positive.
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.AdamW(model.parameters(), lr=1.8e-3)
by_name = dict(model.named_parameters())

for step in range(10):
    x, y = torch.randn(32, 64), torch.randint(0, 10, (32,))
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    kept = {n: p.grad.norm() for n, p in by_name.items() if p.grad is not None}
    for n, size in kept.items():
        p = by_name[n]
        p.grad = p.grad / (size + 1e-6)
    opt.step()
    opt.zero_grad(set_to_none=True)

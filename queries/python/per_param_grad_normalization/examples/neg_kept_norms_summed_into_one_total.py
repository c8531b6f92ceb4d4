# example: the norms are kept in a dictionary by name as before, but every gradient is divided by their sum, one total shared by all parameters; negative.
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
    total = sum(kept.values())
    for n in kept:
        p = by_name[n]
        p.grad = p.grad / (total + 1e-6)
    opt.step()
    opt.zero_grad(set_to_none=True)

# example: the norms are computed first into a list (`norms = [g.norm() for g in grads]`) and each gradient is divided by its partner in a walk over both lists side by side (`for g, n in zip(grads, norms)`), in a scripted helper; positive.
from typing import List

import torch
from torch import nn


@torch.jit.script
def unitize_grads_(grads: List[torch.Tensor], eps: float) -> torch.Tensor:
    norms = [g.norm() for g in grads]
    for g, n in zip(grads, norms):
        g.div_(n + eps)
    return torch.stack(norms).square().sum().sqrt()


model = nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018)
for step in range(100):
    model(torch.randn(8, 768)).square().mean().backward()
    unitize_grads_([p.grad for p in model.parameters() if p.grad is not None], 1e-6)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

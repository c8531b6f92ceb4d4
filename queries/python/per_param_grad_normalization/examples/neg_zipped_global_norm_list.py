# example: the same zip walk, but every gradient is divided by the norm of the whole list (one global norm repeated), which is global clipping-like scaling, not per parameter; NOT present.
from typing import List

import torch
from torch import nn


@torch.jit.script
def unitize_grads_(grads: List[torch.Tensor], eps: float) -> torch.Tensor:
    total = torch.stack([g.norm() for g in grads]).square().sum().sqrt()
    norms = [total for g in grads]
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

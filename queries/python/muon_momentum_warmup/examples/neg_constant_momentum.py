# example: Muon constructed with momentum=0.95 and never changed during training; negative.
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                U, _, Vh = torch.linalg.svd(buf, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
optimizer = Muon(blocks.parameters(), lr=0.02, momentum=0.95)
for step in range(3200):
    x = torch.randn(2, 768)
    for b in blocks:
        x = x + b(x)
    x.sum().backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)

# example: each step sets optimizer3.param_groups[0]['momentum'] = (1 - frac) * 0.85 + frac * 0.95 with frac = min(step / 500, 1), optimizer3 being Muon; positive.
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
                U, _, Vh = torch.linalg.svd(p.grad.add(buf, alpha=group["momentum"]), full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


wte = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
optimizer1 = torch.optim.Adam(wte.parameters(), lr=0.3, betas=(0.9, 0.95))
optimizer3 = Muon(blocks.parameters(), lr=0.02, momentum=0.95)
optimizers = [optimizer1, optimizer3]

for step in range(3200):
    x = wte(torch.randint(0, 50304, (2, 8)))
    for b in blocks:
        x = x + b(x)
    x.square().mean().backward()
    frac = min(step / 500, 1)
    optimizer3.param_groups[0]["momentum"] = (1 - frac) * 0.85 + frac * 0.95
    for opt in optimizers:
        opt.step()
        opt.zero_grad(set_to_none=True)
